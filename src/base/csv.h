/* A reader for the simple CSV of the reference data files (RFC 4180:
 * comma-separated, fields optionally in double quotes with "" for a
 * quote, LF or CRLF line ends). Reads from a memory buffer. */
#ifndef TB_BASE_CSV_H
#define TB_BASE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define TB_CSV_MAX_FIELDS 16

struct tb_csv {
	const char *p, *end;
	int line;                       /* 1-based number of the record just read */
	int nfields;                    /* fields in the record just read */
	char *field[TB_CSV_MAX_FIELDS]; /* NUL-terminated, point into buf */
	char buf[1024];
};

/* Starts reading text[0..len). */
void tb_csv_init(struct tb_csv *c, const char *text, size_t len);
/* Reads the next non-empty record; false at the end. A record with more
 * than TB_CSV_MAX_FIELDS fields or longer than the buffer is cut, and
 * *bad (may be NULL) is set to true; an unterminated quote also sets it. */
bool tb_csv_next(struct tb_csv *c, bool *bad);

#endif
