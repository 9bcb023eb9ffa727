/* The material blob store: streamed files hashed with SM3 as they come,
 * stored once per content under their hash, refused by content (a renamed
 * executable is no PDF) and by size while streaming, with nothing left
 * behind by a refusal or an aborted upload. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "materials/blobs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char pdf[] =
    "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n";
static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0,    0,
                                    13,   'I', 'H', 'D', 'R',  0,    0,    0,    1,    0,    0,
                                    0,    1,   8,   6,   0,    0,    0,    0x1f, 0x15, 0xc4, 0x89};
static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F',  0,
                                     1,    1,    0,    0,    1,    0,    1,   0,   0,   0xff, 0xd9};
static const unsigned char elf[] = {0x7f, 'E', 'L',  'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                    2,    0,   0x3e, 0,   1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

/* Files left in dir/tmp. */
static int leftovers(const char *dir)
{
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	DIR *d = opendir(tmp);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static enum tb_err store(struct tb_blobs *b, const void *data, size_t n, size_t chunk, char *sm3,
                         const char **mime, bool *existed)
{
	struct tb_blob_writer *w;
	assert_int_equal(tb_blob_begin(b, 1 << 20, &w), TB_OK);
	for (size_t i = 0; i < n; i += chunk) {
		enum tb_err e =
		    tb_blob_write(w, (const char *)data + i, n - i < chunk ? n - i : chunk);
		if (e != TB_OK)
			return e;
	}
	size_t size;
	return tb_blob_finish(w, sm3, &size, mime, existed);
}

static void content_addressed(void **state)
{
	(void)state;
	const char *dir = test_tmpdir();
	struct tb_blobs *b;
	assert_int_equal(tb_blobs_open(dir, &b), TB_OK);
	char a[TB_SM3_HEX], c[TB_SM3_HEX], want[TB_SM3_HEX];
	const char *mime;
	bool existed;
	assert_int_equal(store(b, pdf, sizeof(pdf) - 1, 7, a, &mime, &existed), TB_OK);
	assert_string_equal(mime, "application/pdf");
	assert_false(existed);
	tb_sm3_hex(pdf, sizeof(pdf) - 1, want);
	assert_string_equal(a, want); /* the streamed hash is the hash of the whole */
	/* The same content again: stored once. */
	assert_int_equal(store(b, pdf, sizeof(pdf) - 1, 1000, c, &mime, &existed), TB_OK);
	assert_true(existed);
	assert_string_equal(a, c);
	char path[600];
	assert_true(tb_blob_path(b, a, path, sizeof(path)));
	assert_non_null(strstr(path, a));
	assert_false(tb_blob_path(b, "../../etc/passwd", path, sizeof(path)));
	assert_int_equal(store(b, png, sizeof(png), 5, c, &mime, &existed), TB_OK);
	assert_string_equal(mime, "image/png");
	assert_int_equal(store(b, jpeg, sizeof(jpeg), 5, c, &mime, &existed), TB_OK);
	assert_string_equal(mime, "image/jpeg");
	assert_int_equal(leftovers(dir), 0);
	tb_blobs_close(b);
}

static void refusals(void **state)
{
	(void)state;
	const char *dir = test_tmpdir();
	struct tb_blobs *b;
	assert_int_equal(tb_blobs_open(dir, &b), TB_OK);
	char h[TB_SM3_HEX];
	const char *mime;
	bool existed;
	/* An executable renamed to .pdf is still an executable. */
	assert_int_equal(store(b, elf, sizeof(elf), 8, h, &mime, &existed), TB_EMEDIA);
	assert_int_equal(store(b, "plain text, not a document", 26, 8, h, &mime, &existed),
	                 TB_EMEDIA);
	/* Over the limit: refused while streaming. */
	struct tb_blob_writer *w;
	assert_int_equal(tb_blob_begin(b, 100, &w), TB_OK);
	char chunk[64];
	memset(chunk, 'x', sizeof(chunk));
	assert_int_equal(tb_blob_write(w, pdf, 40), TB_OK);
	assert_int_equal(tb_blob_write(w, chunk, 64), TB_ETOOBIG);
	/* A truncated upload is dropped. */
	assert_int_equal(tb_blob_begin(b, 1000, &w), TB_OK);
	assert_int_equal(tb_blob_write(w, pdf, 10), TB_OK);
	tb_blob_abort(w);
	/* An empty file. */
	assert_int_equal(tb_blob_begin(b, 1000, &w), TB_OK);
	size_t size;
	assert_int_equal(tb_blob_finish(w, h, &size, &mime, &existed), TB_EINVAL);
	assert_int_equal(leftovers(dir), 0);
	tb_blobs_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(content_addressed),
	                                   cmocka_unit_test(refusals)};
	return cmocka_run_group_tests_name("blobs", tests, NULL, NULL);
}
