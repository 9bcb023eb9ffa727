/* The blob store of blobs.h. Content types come from libmagic over the
 * first bytes of the file (a magic cookie per thread: libmagic handles are
 * not shared between threads); OFD, a ZIP container, is recognised by its
 * first entry, OFD.xml. */
#include "materials/blobs.h"
#include "base/files.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HEAD 4096 /* bytes kept for content sniffing */

struct tb_blobs {
	char *dir;
	struct tb_store *shared; /* tb_blobs_share: files kept in the store too */
};

struct tb_blob_writer {
	struct tb_blobs *b;
	int fd;
	char tmp[4200];
	size_t size, max;
	struct tb_sm3_stream *hash;
	unsigned char head[HEAD];
	size_t head_len;
};

enum tb_err tb_blobs_open(const char *dir, struct tb_blobs **out)
{
	*out = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return TB_ESTORE;
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return TB_ESTORE;
	struct tb_blobs *b = tb_xcalloc(1, sizeof(*b));
	b->dir = tb_xstrdup(dir);
	*out = b;
	return TB_OK;
}

void tb_blobs_close(struct tb_blobs *b)
{
	if (!b)
		return;
	free(b->dir);
	free(b);
}

void tb_blobs_share(struct tb_blobs *b, struct tb_store *s)
{
	b->shared = s;
}

static enum tb_err ensure_dir(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return TB_ESTORE;
	return TB_OK;
}

/* Copies the stored file at path into the shared store (bytea in
 * PostgreSQL's hex text form), unless it is there already. */
static enum tb_err share_file(struct tb_store *s, const char *path, const char *sm3,
                              const char *mime, size_t size)
{
	size_t n;
	char *data = NULL;
	if (tb_file_read(path, size, &data, &n) != TB_OK || n != size) {
		free(data);
		return TB_ESTORE;
	}
	char *hex = tb_xmalloc(2 * n + 3);
	memcpy(hex, "\\x", 2);
	tb_hex(data, n, hex + 2);
	free(data);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e == TB_OK) {
		e = tb_conn_run(c, NULL,
		                "INSERT INTO blob_files (sm3, mime, size, data, created_at)"
		                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (sm3) DO NOTHING",
		                "ssisi", sm3, mime, (int64_t)size, hex, (int64_t)time(NULL));
		tb_store_release(c);
	}
	free(hex);
	return e;
}

/* Writes the file sm3 from the shared store into path (through a
 * temporary file renamed into place: readers never see half a file).
 * False when the store has no such file or it cannot be written. */
static bool fetch_file(struct tb_blobs *b, const char *sm3, const char *path)
{
	struct tb_conn *c;
	if (tb_store_acquire(b->shared, &c) != TB_OK)
		return false;
	struct tb_stmt *st;
	bool row, ok = false;
	if (tb_conn_query(c, &st, &row, "SELECT data FROM blob_files WHERE sm3 = ?", "s", sm3) !=
	    TB_OK) {
		tb_store_release(c);
		return false;
	}
	const char *hex = row ? tb_stmt_text(st, 0) : NULL;
	char tmp[4200], d1[4200], d2[4300];
	snprintf(tmp, sizeof(tmp), "%s/tmp/fetch-XXXXXX", b->dir);
	snprintf(d1, sizeof(d1), "%s/%.2s", b->dir, sm3);
	snprintf(d2, sizeof(d2), "%s/%.2s", d1, sm3 + 2);
	int fd = -1;
	if (hex && hex[0] == '\\' && hex[1] == 'x' && ensure_dir(d1) == TB_OK &&
	    ensure_dir(d2) == TB_OK)
		fd = mkstemp(tmp);
	if (fd >= 0) {
		size_t len = strlen(hex + 2) / 2;
		unsigned char *data = tb_xmalloc(len ? len : 1);
		ok = tb_unhex(hex + 2, data, len);
		/* The content must be what its name says. */
		char check[TB_SM3_HEX];
		tb_sm3_hex(data, len, check);
		ok = ok && !strcmp(check, sm3) && write(fd, data, len) == (ssize_t)len &&
		     fsync(fd) == 0;
		free(data);
		close(fd);
		ok = ok && rename(tmp, path) == 0;
		if (!ok)
			unlink(tmp);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return ok;
}

enum tb_err tb_blob_begin(struct tb_blobs *b, size_t max_size, struct tb_blob_writer **out)
{
	*out = NULL;
	struct tb_blob_writer *w = tb_xcalloc(1, sizeof(*w));
	w->b = b;
	w->max = max_size;
	snprintf(w->tmp, sizeof(w->tmp), "%s/tmp/upload-XXXXXX", b->dir);
	w->fd = mkstemp(w->tmp);
	if (w->fd < 0) {
		free(w);
		return TB_ESTORE;
	}
	w->hash = tb_sm3_begin();
	*out = w;
	return TB_OK;
}

void tb_blob_abort(struct tb_blob_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	unlink(w->tmp);
	tb_sm3_abort(w->hash);
	free(w);
}

enum tb_err tb_blob_write(struct tb_blob_writer *w, const void *data, size_t n)
{
	if (w->size + n > w->max) {
		tb_blob_abort(w); /* refused while streaming: nothing stays */
		return TB_ETOOBIG;
	}
	const unsigned char *p = data;
	if (w->head_len < HEAD) {
		size_t k = HEAD - w->head_len < n ? HEAD - w->head_len : n;
		memcpy(w->head + w->head_len, p, k);
		w->head_len += k;
	}
	tb_sm3_update(w->hash, data, n);
	size_t done = 0;
	while (done < n) {
		ssize_t k = write(w->fd, p + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			tb_blob_abort(w);
			return TB_ESTORE;
		}
		done += (size_t)k;
	}
	w->size += n;
	return TB_OK;
}

/* Each thread's cookie is closed when the thread ends. */
static pthread_key_t cookie_key;
static pthread_once_t cookie_once = PTHREAD_ONCE_INIT;

static void cookie_close(void *cookie)
{
	magic_close(cookie);
}

static void cookie_key_make(void)
{
	pthread_key_create(&cookie_key, cookie_close);
}

/* The content type of the first bytes, or NULL when not accepted. */
static const char *sniff(const unsigned char *head, size_t n)
{
	pthread_once(&cookie_once, cookie_key_make);
	magic_t cookie = pthread_getspecific(cookie_key);
	if (!cookie) {
		cookie = magic_open(MAGIC_MIME_TYPE);
		if (!cookie || magic_load(cookie, NULL) != 0) {
			magic_close(cookie);
			tb_log_error("materials", "libmagic cannot load its database");
			return NULL;
		}
		pthread_setspecific(cookie_key, cookie);
	}
	const char *t = magic_buffer(cookie, head, n);
	if (!t)
		return NULL;
	if (strcmp(t, "application/pdf") == 0)
		return "application/pdf";
	if (strcmp(t, "image/jpeg") == 0)
		return "image/jpeg";
	if (strcmp(t, "image/png") == 0)
		return "image/png";
	/* OFD (GB/T 33190): a ZIP whose first entry is OFD.xml. */
	if (n > 30 + 7 && memcmp(head, "PK\x03\x04", 4) == 0) {
		size_t name_len = (size_t)head[26] | ((size_t)head[27] << 8);
		if (name_len == 7 && memcmp(head + 30, "OFD.xml", 7) == 0)
			return "application/ofd";
	}
	return NULL;
}

enum tb_err tb_blob_finish(struct tb_blob_writer *w, char sm3[TB_SM3_HEX], size_t *size,
                           const char **mime, bool *existed)
{
	sm3[0] = '\0';
	*size = 0;
	*mime = NULL;
	*existed = false;
	if (w->size == 0) {
		tb_blob_abort(w);
		return TB_EINVAL;
	}
	const char *type = sniff(w->head, w->head_len);
	if (!type) {
		tb_blob_abort(w);
		return TB_EMEDIA;
	}
	/* Durable before it is named: fsync the file, rename, fsync the dir. */
	if (fsync(w->fd) != 0) {
		tb_blob_abort(w);
		return TB_ESTORE;
	}
	close(w->fd);
	w->fd = -1;
	char hash[TB_SM3_HEX];
	tb_sm3_end(w->hash, hash);
	w->hash = NULL;
	char d1[4200], d2[4300], final[4400];
	snprintf(d1, sizeof(d1), "%s/%.2s", w->b->dir, hash);
	snprintf(d2, sizeof(d2), "%s/%.2s", d1, hash + 2);
	snprintf(final, sizeof(final), "%s/%s", d2, hash);
	enum tb_err e = ensure_dir(d1);
	if (e == TB_OK)
		e = ensure_dir(d2);
	struct stat st;
	if (e == TB_OK && stat(final, &st) == 0 && (size_t)st.st_size == w->size) {
		*existed = true; /* the same content: stored once */
		unlink(w->tmp);
	} else if (e == TB_OK && rename(w->tmp, final) != 0) {
		e = TB_ESTORE;
	} else if (e == TB_OK) {
		int dfd = open(d2, O_RDONLY | O_DIRECTORY);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	if (e != TB_OK)
		unlink(w->tmp);
	/* Shared: committed to the store before anything can name it. */
	if (e == TB_OK && w->b->shared)
		e = share_file(w->b->shared, final, hash, type, w->size);
	if (e == TB_OK) {
		memcpy(sm3, hash, TB_SM3_HEX);
		*size = w->size;
		*mime = type;
	}
	free(w);
	return e;
}

bool tb_blob_path(struct tb_blobs *b, const char *sm3, char *path, size_t size)
{
	if (!sm3 || strlen(sm3) != 64 || strspn(sm3, "0123456789abcdef") != 64)
		return false;
	snprintf(path, size, "%s/%.2s/%.2s/%s", b->dir, sm3, sm3 + 2, sm3);
	struct stat st;
	if (stat(path, &st) == 0)
		return true;
	/* Another node received it: the folder is this node's copy. */
	return b->shared && fetch_file(b, sm3, path);
}
