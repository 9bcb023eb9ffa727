/* The blob store of blobs.h. Content types come from libmagic over the
 * first bytes of the file (a magic cookie per thread: libmagic handles are
 * not shared between threads); OFD, a ZIP container, is recognised by its
 * first entry, OFD.xml. */
#include "materials/blobs.h"
#include "base/log.h"
#include "base/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD 4096 /* bytes kept for content sniffing */

struct tb_blobs {
	char *dir;
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

static enum tb_err ensure_dir(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return TB_ESTORE;
	return TB_OK;
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
	else {
		memcpy(sm3, hash, TB_SM3_HEX);
		*size = w->size;
		*mime = type;
	}
	free(w);
	return e;
}

bool tb_blob_path(const struct tb_blobs *b, const char *sm3, char *path, size_t size)
{
	if (!sm3 || strlen(sm3) != 64 || strspn(sm3, "0123456789abcdef") != 64)
		return false;
	snprintf(path, size, "%s/%.2s/%.2s/%s", b->dir, sm3, sm3 + 2, sm3);
	struct stat st;
	return stat(path, &st) == 0;
}
