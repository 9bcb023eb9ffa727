/* libmicrohttpd's own refusals as JSON.
 *
 * Before any handler of ours runs, libmicrohttpd refuses some requests
 * itself: a request line or headers over its connection memory (414,
 * 431), a malformed request line or header, bad chunked encoding, a bad
 * or huge Content-Length (400, 413), an unsupported HTTP version (505).
 * It answers them with fixed HTML pages compiled into the library
 * (0.9.75, Debian 12), and no option replaces them. Every client of the
 * API is promised a JSON error naming what was wrong, so these must be
 * JSON too.
 *
 * The library builds each page with MHD_create_response_from_buffer(len,
 * page, MHD_RESPMEM_PERSISTENT), and calls that exported function through
 * its PLT (objdump -R shows the JUMP_SLOT). A definition in the
 * executable therefore takes those calls (ELF symbol interposition, the
 * mechanism LD_PRELOAD uses). The definition below recognises the
 * library's pages by their <title> and builds the JSON answer instead;
 * any other call goes to the library's own function, found with
 * dlsym(RTLD_NEXT). Our code never calls this constructor (server.c uses
 * the _with_free_callback form), so only the library's refusals pass
 * here. The status stays the one the library chose.
 *
 * Should a libmicrohttpd build bind the call inside the library
 * (-Bsymbolic, LTO), tb_mhd_errors_json() reports it at start and
 * tests/api/test_hardening.c (protocol_errors_are_json) fails. */
#include "http/mhd_errors.h"

#include <dlfcn.h>
#include <microhttpd.h>
#include <string.h>

typedef struct MHD_Response *(*from_buffer_fn)(size_t, void *, enum MHD_ResponseMemoryMode);

/* A page of the library's is known by its title; some titles serve
 * several refusals, told apart by a word of the page's text. */
static const struct {
	const char *title, *word, *json;
} pages[] = {
    {"Request too big", NULL,
     "{\"error\":\"request header fields too large\",\"field\":\"request\","
     "\"reason\":\"the request line or its headers are larger than the server accepts\"}"},
    {"Request malformed", "chunked",
     "{\"error\":\"invalid input\",\"field\":\"body\","
     "\"reason\":\"the chunked transfer encoding is malformed\"}"},
    {"Request malformed", "Content-Length",
     "{\"error\":\"invalid input\",\"field\":\"Content-Length\","
     "\"reason\":\"the Content-Length header is not a valid length\"}"},
    {"Request malformed", NULL,
     "{\"error\":\"invalid input\",\"field\":\"request\","
     "\"reason\":\"the request line or a header is malformed\"}"},
    {"Request content too large", "chunk size",
     "{\"error\":\"payload too large\",\"field\":\"body\","
     "\"reason\":\"a chunk of the chunked transfer encoding is too large\"}"},
    {"Request content too large", NULL,
     "{\"error\":\"payload too large\",\"field\":\"Content-Length\","
     "\"reason\":\"the Content-Length is larger than the server accepts\"}"},
    {"Requested HTTP version is not supported", NULL,
     "{\"error\":\"invalid input\",\"field\":\"version\","
     "\"reason\":\"only HTTP/1.0 and HTTP/1.1 are served\"}"},
    {"&quot;Host:&quot; header required", NULL,
     "{\"error\":\"invalid input\",\"field\":\"Host\","
     "\"reason\":\"an HTTP/1.1 request must have a Host header\"}"},
    {NULL, NULL,
     "{\"error\":\"internal error\",\"field\":\"request\","
     "\"reason\":\"the HTTP layer could not answer the request\"}"},
};

static const char PAGE[] = "<html><head><title>";

/* The library's own function (NULL if it cannot be found). */
static from_buffer_fn real_from_buffer(void)
{
	static from_buffer_fn real;
	if (!real)
		real = (from_buffer_fn)dlsym(RTLD_NEXT, "MHD_create_response_from_buffer");
	return real;
}

/* The JSON for one of the library's pages, or NULL when buf is not one. */
static const char *json_for(const char *buf, size_t size)
{
	size_t n = sizeof(PAGE) - 1;
	if (size <= n || memcmp(buf, PAGE, n) != 0)
		return NULL;
	const char *title = buf + n, *end = memchr(title, '<', size - n);
	if (!end)
		return NULL;
	size_t tlen = (size_t)(end - title);
	for (size_t i = 0; pages[i].title; i++) {
		if (strlen(pages[i].title) != tlen || memcmp(pages[i].title, title, tlen) != 0)
			continue;
		if (pages[i].word && !memmem(buf, size, pages[i].word, strlen(pages[i].word)))
			continue;
		return pages[i].json;
	}
	/* A page this table does not know (a newer library): still JSON. */
	size_t last = sizeof(pages) / sizeof(pages[0]) - 1;
	return pages[last].json;
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buf,
                                                     enum MHD_ResponseMemoryMode mode)
{
	from_buffer_fn real = real_from_buffer();
	if (!real)
		return NULL;
	const char *json = mode == MHD_RESPMEM_PERSISTENT && buf ? json_for(buf, size) : NULL;
	if (!json)
		return real(size, buf, mode);
	struct MHD_Response *r = real(strlen(json), (void *)json, MHD_RESPMEM_PERSISTENT);
	if (r)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        "application/json; charset=utf-8");
	return r;
}

bool tb_mhd_errors_json(void)
{
	void *seen = dlsym(RTLD_DEFAULT, "MHD_create_response_from_buffer");
	return seen == (void *)MHD_create_response_from_buffer && real_from_buffer() != NULL;
}
