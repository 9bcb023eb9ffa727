/* Allocation that never returns NULL: out of memory is fatal (the process
 * prints a message and aborts), so callers need no NULL checks. */
#ifndef TB_BASE_MEM_H
#define TB_BASE_MEM_H

#include <stddef.h>

/* malloc/calloc/realloc/strdup/strndup that abort on failure. The caller
 * owns the result and frees it with free(). */
void *tb_xmalloc(size_t n);
void *tb_xcalloc(size_t count, size_t size);
void *tb_xrealloc(void *p, size_t n);
char *tb_xstrdup(const char *s);
char *tb_xstrndup(const char *s, size_t n);

#endif
