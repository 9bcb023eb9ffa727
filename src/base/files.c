/* See files.h. */
#include "base/files.h"
#include "base/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_LEN 4096

static void sync_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

/* The folder part of path into out ("." when there is none). */
static void parent_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(out, size, ".");
	else if (slash == path)
		snprintf(out, size, "/");
	else
		snprintf(out, size, "%.*s", (int)(slash - path), path);
}

static bool write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

enum tb_err tb_file_write_atomic(const char *path, const void *data, size_t n, mode_t mode)
{
	char tmp[PATH_LEN];
	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(tmp))
		return TB_ESTORE;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return TB_ESTORE;
	bool ok = fchmod(fd, mode) == 0 && write_all(fd, data, n) && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (ok)
		ok = rename(tmp, path) == 0;
	if (!ok) {
		unlink(tmp);
		return TB_ESTORE;
	}
	char dir[PATH_LEN];
	parent_of(path, dir, sizeof(dir));
	sync_dir(dir);
	return TB_OK;
}

enum tb_err tb_file_read(const char *path, size_t max, char **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? TB_ENOTFOUND : TB_ESTORE;
	char *buf = malloc(max + 1);
	size_t len = 0;
	enum tb_err e = buf ? TB_OK : TB_EINTERNAL;
	while (e == TB_OK) {
		ssize_t r = read(fd, buf + len, max + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			e = TB_ESTORE;
		else if (r == 0)
			break;
		else if ((len += (size_t)r) > max)
			e = TB_ETOOBIG;
	}
	close(fd);
	if (e != TB_OK) {
		free(buf);
		return e;
	}
	buf[len] = '\0';
	*out = buf;
	*n = len;
	return TB_OK;
}

enum tb_err tb_dir_make(const char *path, mode_t mode)
{
	char p[PATH_LEN];
	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
		return TB_ESTORE;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			return TB_ESTORE;
		*s = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST)
		return TB_ESTORE;
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode) ? TB_OK : TB_ESTORE;
}

/* Whether a directory entry is a write in progress, left out. */
static bool skipped(const char *name, bool is_dir)
{
	if (is_dir)
		return strcmp(name, "tmp") == 0;
	size_t n = strlen(name);
	return n >= 4 && strcmp(name + n - 4, ".tmp") == 0;
}

static enum tb_err copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return TB_ESTORE;
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777);
	if (out < 0) {
		close(in);
		return TB_ESTORE;
	}
	bool ok = fchmod(out, mode & 07777) == 0;
	char buf[65536];
	while (ok) {
		ssize_t r = read(in, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ok = r == 0;
			break;
		}
		ok = write_all(out, buf, (size_t)r);
	}
	ok = ok && fsync(out) == 0;
	ok = close(out) == 0 && ok;
	close(in);
	return ok ? TB_OK : TB_ESTORE;
}

static enum tb_err copy_tree(const char *src, const char *dst, mode_t dir_mode, long *files)
{
	if (mkdir(dst, dir_mode & 07777) != 0 && errno != EEXIST) {
		tb_log_error("files", "cannot make %s: %s", dst, strerror(errno));
		return TB_ESTORE;
	}
	chmod(dst, dir_mode & 07777);
	DIR *d = opendir(src);
	if (!d)
		return TB_ESTORE;
	enum tb_err e = TB_OK;
	struct dirent *ent;
	while (e == TB_OK && (ent = readdir(d))) {
		if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
			continue;
		char s[PATH_LEN], t[PATH_LEN];
		if (snprintf(s, sizeof(s), "%s/%s", src, ent->d_name) >= (int)sizeof(s) ||
		    snprintf(t, sizeof(t), "%s/%s", dst, ent->d_name) >= (int)sizeof(t)) {
			e = TB_ESTORE;
			break;
		}
		struct stat st;
		if (lstat(s, &st) != 0) {
			/* Gone since readdir: a temporary file renamed away. */
			if (errno == ENOENT)
				continue;
			e = TB_ESTORE;
		} else if (S_ISDIR(st.st_mode)) {
			if (!skipped(ent->d_name, true))
				e = copy_tree(s, t, st.st_mode, files);
		} else if (S_ISREG(st.st_mode) && !skipped(ent->d_name, false)) {
			e = copy_file(s, t, st.st_mode);
			if (e != TB_OK)
				tb_log_error("files", "cannot copy %s to %s: %s", s, t,
				             strerror(errno));
			else if (files)
				(*files)++;
		}
	}
	closedir(d);
	if (e == TB_OK)
		sync_dir(dst);
	return e;
}

enum tb_err tb_tree_copy(const char *src, const char *dst, long *files)
{
	if (files)
		*files = 0;
	struct stat st;
	if (stat(src, &st) != 0)
		return errno == ENOENT ? TB_ENOTFOUND : TB_ESTORE;
	if (!S_ISDIR(st.st_mode))
		return TB_ESTORE;
	enum tb_err e = copy_tree(src, dst, st.st_mode, files);
	if (e == TB_OK) {
		char parent[PATH_LEN];
		parent_of(dst, parent, sizeof(parent));
		sync_dir(parent);
	}
	return e;
}

long tb_tree_count(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	long n = 0;
	struct dirent *ent;
	while (n >= 0 && (ent = readdir(d))) {
		if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
			continue;
		char s[PATH_LEN];
		snprintf(s, sizeof(s), "%s/%s", path, ent->d_name);
		struct stat st;
		if (lstat(s, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && !skipped(ent->d_name, true)) {
			long k = tb_tree_count(s);
			n = k < 0 ? -1 : n + k;
		} else if (S_ISREG(st.st_mode) && !skipped(ent->d_name, false)) {
			n++;
		}
	}
	closedir(d);
	return n;
}
