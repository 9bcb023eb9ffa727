/* The case clock, on the working-day calendar: deadlines from the day of
 * acceptance, suspensions that stop it (the working days from the day
 * after the suspension through the day of resumption do not count),
 * extensions that move the statutory deadline, and the colour a case
 * shows. Pure functions over tb_calendar. */
#ifndef TB_CASES_CLOCK_H
#define TB_CASES_CLOCK_H

#include "calendar/calendar.h"

#include <stdint.h>

/* The deadline of a limit of days working days accepted on day accepted. */
int64_t tb_clock_due(const struct tb_calendar *c, int64_t accepted, int days);
/* due moved by the working days a suspension from suspended to resumed
 * cost. */
int64_t tb_clock_resume(const struct tb_calendar *c, int64_t due, int64_t suspended,
                        int64_t resumed);
/* Working days left until due on day today (negative when late). While
 * suspended (suspended != 0) the count is frozen at the suspension day. */
int tb_clock_remaining(const struct tb_calendar *c, int64_t today, int64_t due, int64_t suspended);
/* "red" when late, "yellow" with yellow_days or fewer left, else "green". */
const char *tb_clock_colour(int remaining, int yellow_days);

#endif
