/* The working-day calendar: Monday to Friday are working days except the
 * public holidays the State Council publishes each year, and some weekend
 * days are make-up working days (调休). A calendar holds those exception
 * days, sorted, and answers "is this a working day", "n working days after
 * that date" and "how many working days between" for time limits. Exports
 * struct tb_calendar and its functions; once built, a calendar is read-only
 * and safe to share between threads. */
#ifndef TB_CALENDAR_CALENDAR_H
#define TB_CALENDAR_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* What an exception day is. */
enum tb_day_kind {
	TB_DAY_WORKDAY, /* a weekend day worked (make-up working day) */
	TB_DAY_HOLIDAY, /* a day off (public holiday, any day of the week) */
	TB_DAY__MAX
};

struct tb_calendar;

/* A new empty calendar: every Monday-Friday is a working day. Never NULL
 * (out of memory aborts). Free it with tb_calendar_free. */
struct tb_calendar *tb_calendar_new(void);

/* Frees c and the names it holds. NULL is a no-op. */
void tb_calendar_free(struct tb_calendar *c);

/* Adds the exception day `day` (a day number of base/date.h, years
 * 1-9999). name (may be NULL for "") is copied; it must be one line of
 * valid UTF-8 of at most 200 bytes. A TB_DAY_WORKDAY must fall on a
 * Saturday or Sunday (any other day already is one). Returns TB_OK,
 * TB_EINVAL for a bad day, kind or name, or TB_ECONFLICT when day is
 * already listed. Not to be called while other threads read c. */
enum tb_err tb_calendar_set(struct tb_calendar *c, int64_t day, enum tb_day_kind kind,
                            const char *name);

/* Adds the exception days in text[0..len), a CSV file with the header line
 * `date,kind,name` and lines like `2026-10-01,holiday,国庆节`: date is
 * YYYY-MM-DD, kind is "holiday" or "workday", name is non-empty and may be
 * quoted ("" inside quotes is one "). A UTF-8 BOM, CRLF line ends and
 * blank lines are accepted. Either every line is added and TB_OK is
 * returned, or nothing is added and TB_EINVAL (or TB_ECONFLICT for a date
 * already in c) is returned with f (may be NULL) naming the field
 * "line N" (1-based) and a reason: "header", "fields", "quote", "date",
 * "kind", "name", "duplicate date", "workday on a weekday". The field
 * string lives in c and stays valid until the next parse or free of c. */
enum tb_err tb_calendar_parse_csv(struct tb_calendar *c, const char *text, size_t len,
                                  struct tb_fail *f);

/* True when day is a working day: a listed workday, or a Monday-Friday
 * that is not a listed holiday. c may be NULL (no exceptions). */
bool tb_calendar_is_workday(const struct tb_calendar *c, int64_t day);

/* The n-th working day after from, not counting from itself: n = 1 is the
 * first working day after from. n = 0 returns from; a negative n counts
 * backwards (n = -1 is the last working day before from). Fast for any n
 * (binary search, not a walk). from must be a day of years 1-9999; the
 * result may lie beyond. c may be NULL. */
int64_t tb_calendar_add_workdays(const struct tb_calendar *c, int64_t from, int n);

/* The number of working days in (a, b]: a not counted, b counted. When
 * b < a, minus the number of working days in (b, a]. Saturated to the
 * int range. c may be NULL. */
int tb_calendar_count_workdays(const struct tb_calendar *c, int64_t a, int64_t b);

/* True when c lists at least one exception day in the calendar year of
 * day, i.e. that year's holidays have been loaded; callers warn when a
 * time limit runs into a year that is not covered. False for NULL c. */
bool tb_calendar_covers(const struct tb_calendar *c, int64_t day);

/* The name of day when it is a listed exception (owned by c, valid until
 * c is freed), or NULL. */
const char *tb_calendar_day_name(const struct tb_calendar *c, int64_t day);

#endif
