/* The working-day calendar in the store: the table calendar_days holds the
 * exceptions (holidays on weekdays, working weekend days) that the State
 * Council publishes each year. Loads them into a tb_calendar, imports a
 * year's CSV, seeds the built-in years on first start, lists a year. */
#ifndef TB_CALENDAR_CALENDAR_STORE_H
#define TB_CALENDAR_CALENDAR_STORE_H

#include "base/arena.h"
#include "base/err.h"
#include "calendar/calendar.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

struct tb_calendar_day {
	char date[11];
	const char *kind; /* "holiday" or "workday" */
	const char *name;
};

/* A new calendar holding every exception in the store; caller frees it. */
enum tb_err tb_calendar_load(struct tb_store *s, struct tb_calendar **out);
/* Validates the whole CSV (date,kind,name) and upserts its rows in one
 * transaction; nothing is written when any line is bad (f names it).
 * *rows (may be NULL) gets the number of rows. */
enum tb_err tb_calendar_import(struct tb_store *s, const char *csv, size_t len, int *rows,
                               struct tb_fail *f);
/* Imports the calendars built into the binary when the table is empty. */
enum tb_err tb_calendar_seed(struct tb_store *s, bool *seeded);
/* The exceptions of one year in date order, allocated in arena. */
enum tb_err tb_calendar_year(struct tb_store *s, int year, struct tb_arena *arena,
                             struct tb_calendar_day **out, size_t *n);

#endif
