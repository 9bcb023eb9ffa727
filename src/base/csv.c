/* The CSV reader of csv.h. */
#include "base/csv.h"

#include <string.h>

void tb_csv_init(struct tb_csv *c, const char *text, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->p = text;
	c->end = text + len;
}

bool tb_csv_next(struct tb_csv *c, bool *bad)
{
	if (bad)
		*bad = false;
	for (;;) {
		if (c->p >= c->end)
			return false;
		c->line++;
		size_t out = 0;
		c->nfields = 1;
		c->field[0] = c->buf;
		bool quoted = false, cut = false, any = false;
		while (c->p < c->end) {
			char ch = *c->p++;
			if (quoted) {
				if (ch == '"') {
					if (c->p < c->end && *c->p == '"') {
						c->p++;
					} else {
						quoted = false;
						continue;
					}
				} else if (ch == '\n') {
					c->line++;
				}
			} else if (ch == '"') {
				quoted = true;
				any = true;
				continue;
			} else if (ch == '\r') {
				continue;
			} else if (ch == '\n') {
				break;
			} else if (ch == ',') {
				any = true;
				if (out + 1 >= sizeof(c->buf) || c->nfields >= TB_CSV_MAX_FIELDS) {
					cut = true;
					continue;
				}
				c->buf[out++] = '\0';
				c->field[c->nfields++] = c->buf + out;
				continue;
			}
			any = true;
			if (out + 1 < sizeof(c->buf))
				c->buf[out++] = ch;
			else
				cut = true;
		}
		c->buf[out] = '\0';
		if (quoted || cut) {
			if (bad)
				*bad = true;
		}
		if (!any && !(bad && *bad))
			continue; /* empty line */
		return true;
	}
}
