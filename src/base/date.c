/* Day-number arithmetic after the well-known era-based civil calendar
 * algorithm (400-year eras of 146097 days), valid for any int64 range we use. */
#include "base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t tb_date_from_ymd(int y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t mp = (m + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void tb_date_to_ymd(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

bool tb_date_valid(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	int max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool tb_date_parse(const char *s, int64_t *days)
{
	*days = 0;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0 || !tb_date_valid(y, m, d))
		return false;
	*days = tb_date_from_ymd(y, m, d);
	return true;
}

void tb_date_format(int64_t days, char out[11])
{
	int y, m, d;
	tb_date_to_ymd(days, &y, &m, &d);
	if (y >= 0 && y <= 9999) {
		/* Digits by hand: pages format thousands of dates. */
		const int v[] = {y / 1000, y / 100 % 10, y / 10 % 10, y % 10, 0,
		                 m / 10,   m % 10,       0,           d / 10, d % 10};
		for (int i = 0; i < 10; i++)
			out[i] = (char)('0' + v[i]);
		out[4] = out[7] = '-';
		out[10] = '\0';
		return;
	}
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	memcpy(out, tmp, 10);
	out[10] = '\0';
}

int tb_date_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	int64_t w = (days + 3) % 7;
	if (w < 0)
		w += 7;
	return (int)w + 1;
}

int64_t tb_date_today(void)
{
	const char *pin = getenv("TB_TODAY");
	int64_t d;
	if (pin && tb_date_parse(pin, &d))
		return d;
	time_t now = time(NULL) + 8 * 3600;
	return (int64_t)(now / 86400);
}
