/* See clock.h. */
#include "cases/clock.h"

int64_t tb_clock_due(const struct tb_calendar *c, int64_t accepted, int days)
{
	return tb_calendar_add_workdays(c, accepted, days);
}

int64_t tb_clock_resume(const struct tb_calendar *c, int64_t due, int64_t suspended,
                        int64_t resumed)
{
	int lost = tb_calendar_count_workdays(c, suspended, resumed);
	return lost > 0 ? tb_calendar_add_workdays(c, due, lost) : due;
}

int tb_clock_remaining(const struct tb_calendar *c, int64_t today, int64_t due, int64_t suspended)
{
	return tb_calendar_count_workdays(c, suspended ? suspended : today, due);
}

const char *tb_clock_colour(int remaining, int yellow_days)
{
	if (remaining < 0)
		return "red";
	if (remaining <= yellow_days)
		return "yellow";
	return "green";
}
