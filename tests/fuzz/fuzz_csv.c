/* Fuzzes the CSV of the reference data: the reader tb_csv_next (every
 * field NUL-terminated inside its buffer, never more than
 * TB_CSV_MAX_FIELDS) and the working-day calendar's parser
 * tb_calendar_parse_csv (`tongban import calendar`), which either adds
 * every line or none. */
#include "support.h"

#include "base/csv.h"
#include "base/date.h"
#include "calendar/calendar.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The reader takes a buffer and a length: no NUL is promised, so the
	 * input is handed over exactly (ASan sees a read past its end). */
	char *text = malloc(size ? size : 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	struct tb_csv c;
	tb_csv_init(&c, text, size);
	bool bad = false;
	int last = 0;
	while (tb_csv_next(&c, &bad)) {
		if (c.nfields < 1 || c.nfields > TB_CSV_MAX_FIELDS || c.line <= last)
			abort();
		last = c.line;
		for (int i = 0; i < c.nfields; i++)
			if (c.field[i] < c.buf || c.field[i] >= c.buf + sizeof(c.buf) ||
			    !memchr(c.field[i], '\0', (size_t)(c.buf + sizeof(c.buf) - c.field[i])))
				abort();
	}

	struct tb_calendar *cal = tb_calendar_new();
	struct tb_fail f = {0};
	enum tb_err e = tb_calendar_parse_csv(cal, text, size, &f);
	if (e != TB_OK && (!f.field || !f.reason))
		abort();
	/* Whatever it added, asking about a day works. */
	(void)tb_calendar_add_workdays(cal, tb_date_from_ymd(2026, 9, 30), 10);
	tb_calendar_free(cal);
	free(text);
	return 0;
}
