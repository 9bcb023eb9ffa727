/* Calendar dates as day numbers (days since 1970-01-01, proleptic
 * Gregorian), with strict ISO 8601 parsing and formatting. Government time
 * limits are counted in China's civil time (UTC+8, no daylight saving). */
#ifndef TB_BASE_DATE_H
#define TB_BASE_DATE_H

#include <stdbool.h>
#include <stdint.h>

/* Day number of y-m-d. The date is not checked; see tb_date_valid. */
int64_t tb_date_from_ymd(int y, int m, int d);
/* Splits a day number into year, month (1-12) and day (1-31). */
void tb_date_to_ymd(int64_t days, int *y, int *m, int *d);
/* True when y-m-d is a real calendar date (year 1..9999). */
bool tb_date_valid(int y, int m, int d);
/* Parses exactly "YYYY-MM-DD" (a real date) into *days. False otherwise;
 * *days is then 0. */
bool tb_date_parse(const char *s, int64_t *days);
/* Writes "YYYY-MM-DD" and a NUL into out. */
void tb_date_format(int64_t days, char out[11]);
/* ISO weekday: 1 Monday .. 7 Sunday. */
int tb_date_weekday(int64_t days);
/* Today in China (UTC+8). TB_TODAY=YYYY-MM-DD in the environment overrides
 * it, so that tests and demos can pin the date. */
int64_t tb_date_today(void);

#endif
