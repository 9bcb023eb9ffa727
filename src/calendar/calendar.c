/* The working-day calendar of calendar.h: a sorted array of exception days
 * with a running sum of how each one changes the plain Monday-Friday
 * count, so that counting working days over any span costs two binary
 * searches, and adding n working days is a binary search over that count.
 * Exports the tb_calendar_* functions. */
#include "calendar/calendar.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "base/utf8.h"

#define NAME_MAX_BYTES 200

/* Day numbers handled without overflow: far beyond years 1-9999. */
#define DAY_LIMIT ((int64_t)1 << 40)

struct entry {
	int64_t day;
	enum tb_day_kind kind;
	int delta;   /* +1 weekend workday, -1 weekday holiday, 0 weekend holiday */
	int64_t cum; /* sum of delta over this entry and all before it */
	char *name;
};

struct tb_calendar {
	struct entry *e; /* sorted by day, no duplicates */
	size_t n, cap;
	char fail_field[32];
};

struct tb_calendar *tb_calendar_new(void)
{
	return tb_xcalloc(1, sizeof(struct tb_calendar));
}

void tb_calendar_free(struct tb_calendar *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].name);
	free(c->e);
	free(c);
}

static bool is_weekday(int64_t day)
{
	return tb_date_weekday(day) <= 5;
}

/* Index of the first entry with e.day >= day (c->n when none). */
static size_t lower_bound(const struct tb_calendar *c, int64_t day)
{
	size_t lo = 0, hi = c ? c->n : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->e[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct entry *find(const struct tb_calendar *c, int64_t day)
{
	size_t i = lower_bound(c, day);
	return c && i < c->n && c->e[i].day == day ? &c->e[i] : NULL;
}

/* Sum of the deltas of the entries before index i. */
static int64_t cum_before(const struct tb_calendar *c, size_t i)
{
	return i == 0 ? 0 : c->e[i - 1].cum;
}

static bool day_in_range(int64_t day)
{
	return day >= tb_date_from_ymd(1, 1, 1) && day <= tb_date_from_ymd(9999, 12, 31);
}

static bool name_ok(const char *s, size_t n)
{
	return n <= NAME_MAX_BYTES && tb_utf8_is_line(s, n);
}

/* Inserts an entry already validated; name is taken. */
static void insert(struct tb_calendar *c, int64_t day, enum tb_day_kind kind, char *name)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->e = tb_xrealloc(c->e, c->cap * sizeof(c->e[0]));
	}
	size_t at = lower_bound(c, day);
	memmove(&c->e[at + 1], &c->e[at], (c->n - at) * sizeof(c->e[0]));
	c->n++;
	struct entry *e = &c->e[at];
	e->day = day;
	e->kind = kind;
	e->name = name;
	e->delta = (kind == TB_DAY_WORKDAY) - is_weekday(day);
	for (size_t i = at; i < c->n; i++)
		c->e[i].cum = cum_before(c, i) + c->e[i].delta;
}

/* The reason a (day, kind) pair cannot be added, or NULL. */
static const char *refuse(const struct tb_calendar *c, int64_t day, enum tb_day_kind kind)
{
	if (!day_in_range(day))
		return "date";
	if (kind != TB_DAY_WORKDAY && kind != TB_DAY_HOLIDAY)
		return "kind";
	if (kind == TB_DAY_WORKDAY && is_weekday(day))
		return "workday on a weekday";
	if (find(c, day))
		return "duplicate date";
	return NULL;
}

enum tb_err tb_calendar_set(struct tb_calendar *c, int64_t day, enum tb_day_kind kind,
                            const char *name)
{
	if (!name)
		name = "";
	const char *why = refuse(c, day, kind);
	if (why)
		return strcmp(why, "duplicate date") == 0 ? TB_ECONFLICT : TB_EINVAL;
	if (!name_ok(name, strlen(name)))
		return TB_EINVAL;
	insert(c, day, kind, tb_xstrdup(name));
	return TB_OK;
}

/* ---- CSV ---- */

/* One field of a CSV line: [p, p+n) raw, or unquoted into buf when it was
 * quoted. */
struct field {
	const char *p;
	size_t n;
};

/* Splits line[0..n) into at most max fields; quoted fields are unquoted
 * into buf (of size n, enough since unquoting only shrinks). Returns the
 * number of fields, -1 for a quote error, max + 1 for too many fields. */
static int split(const char *line, size_t n, struct field *fld, int max, char *buf)
{
	int count = 0;
	size_t i = 0, out = 0;
	for (;;) {
		if (count == max)
			return max + 1;
		struct field *f = &fld[count++];
		if (i < n && line[i] == '"') {
			f->p = buf + out;
			i++;
			for (;;) {
				if (i >= n)
					return -1; /* unterminated */
				if (line[i] == '"') {
					if (i + 1 < n && line[i + 1] == '"') {
						buf[out++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				buf[out++] = line[i++];
			}
			f->n = (size_t)(buf + out - f->p);
			if (i < n && line[i] != ',')
				return -1; /* text after the closing quote */
		} else {
			f->p = line + i;
			while (i < n && line[i] != ',') {
				if (line[i] == '"')
					return -1; /* quote inside an unquoted field */
				i++;
			}
			f->n = (size_t)(line + i - f->p);
		}
		if (i >= n)
			return count;
		i++; /* the comma */
	}
}

static bool field_is(const struct field *f, const char *s)
{
	return f->n == strlen(s) && memcmp(f->p, s, f->n) == 0;
}

struct pending {
	int64_t day;
	enum tb_day_kind kind;
	char *name;
};

static enum tb_err fail_line(struct tb_calendar *c, struct tb_fail *f, enum tb_err e, int line,
                             const char *reason)
{
	snprintf(c->fail_field, sizeof(c->fail_field), "line %d", line);
	return tb_fail(f, e, c->fail_field, reason);
}

/* Parses one data line into *out (name allocated) or returns the reason. */
static const char *parse_line(const struct tb_calendar *c, const char *s, size_t n, char *buf,
                              const struct pending *seen, size_t nseen, struct pending *out)
{
	struct field fld[3];
	int nf = split(s, n, fld, 3, buf);
	if (nf < 0)
		return "quote";
	if (nf != 3)
		return "fields";

	char date[11];
	if (fld[0].n != 10)
		return "date";
	memcpy(date, fld[0].p, 10);
	date[10] = '\0';
	if (!tb_date_parse(date, &out->day))
		return "date";

	if (field_is(&fld[1], "holiday"))
		out->kind = TB_DAY_HOLIDAY;
	else if (field_is(&fld[1], "workday"))
		out->kind = TB_DAY_WORKDAY;
	else
		return "kind";

	if (fld[2].n == 0 || !name_ok(fld[2].p, fld[2].n))
		return "name";

	const char *why = refuse(c, out->day, out->kind);
	if (why)
		return why;
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].day == out->day)
			return "duplicate date";
	out->name = tb_xstrndup(fld[2].p, fld[2].n);
	return NULL;
}

enum tb_err tb_calendar_parse_csv(struct tb_calendar *c, const char *text, size_t len,
                                  struct tb_fail *f)
{
	enum tb_err err = TB_OK;
	struct pending *pend = NULL;
	size_t npend = 0, cap = 0;
	char *buf = tb_xmalloc(len + 1);

	if (!text)
		len = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}

	size_t pos = 0;
	int lineno = 0;
	bool header = false;
	while (pos < len || !header) {
		const char *s = text ? text + pos : "";
		const char *nl = pos < len ? memchr(s, '\n', len - pos) : NULL;
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += nl ? n + 1 : n;
		lineno++;
		if (n && s[n - 1] == '\r')
			n--;
		if (!header) {
			if (n != 14 || memcmp(s, "date,kind,name", 14) != 0) {
				err = fail_line(c, f, TB_EINVAL, lineno, "header");
				goto out;
			}
			header = true;
			continue;
		}
		if (n == 0)
			continue;
		if (npend == cap) {
			cap = cap ? cap * 2 : 64;
			pend = tb_xrealloc(pend, cap * sizeof(pend[0]));
		}
		const char *why = parse_line(c, s, n, buf, pend, npend, &pend[npend]);
		if (why) {
			bool conflict =
			    strcmp(why, "duplicate date") == 0 && find(c, pend[npend].day);
			err = fail_line(c, f, conflict ? TB_ECONFLICT : TB_EINVAL, lineno, why);
			goto out;
		}
		npend++;
	}

	for (size_t i = 0; i < npend; i++) {
		insert(c, pend[i].day, pend[i].kind, pend[i].name);
		pend[i].name = NULL;
	}
	npend = 0;
out:
	for (size_t i = 0; i < npend; i++)
		free(pend[i].name);
	free(pend);
	free(buf);
	return err;
}

/* ---- queries ---- */

bool tb_calendar_is_workday(const struct tb_calendar *c, int64_t day)
{
	const struct entry *e = find(c, day);
	if (e)
		return e->kind == TB_DAY_WORKDAY;
	return is_weekday(day);
}

/* Monday-Friday days in [t0, t0 + t) counted from the Monday t0 =
 * 1970-01-05 (day 4), for any sign of t. */
static int64_t weekdays_before(int64_t t)
{
	int64_t q = t / 7, r = t % 7;
	if (r < 0) {
		r += 7;
		q--;
	}
	return 5 * q + (r < 5 ? r : 5);
}

/* Working days in (a, b] for a <= b. */
static int64_t count_up(const struct tb_calendar *c, int64_t a, int64_t b)
{
	/* (a, b] is [a + 1, b + 1); shifted so that day 4 (a Monday) is 0. */
	int64_t plain = weekdays_before(b + 1 - 4) - weekdays_before(a + 1 - 4);
	if (!c || c->n == 0)
		return plain;
	return plain + cum_before(c, lower_bound(c, b + 1)) - cum_before(c, lower_bound(c, a + 1));
}

static int64_t clamp_day(int64_t d)
{
	return d < -DAY_LIMIT ? -DAY_LIMIT : d > DAY_LIMIT ? DAY_LIMIT : d;
}

int tb_calendar_count_workdays(const struct tb_calendar *c, int64_t a, int64_t b)
{
	a = clamp_day(a);
	b = clamp_day(b);
	int64_t v = a <= b ? count_up(c, a, b) : -count_up(c, b, a);
	return v > INT_MAX ? INT_MAX : v < -INT_MAX ? -INT_MAX : (int)v;
}

int64_t tb_calendar_add_workdays(const struct tb_calendar *c, int64_t from, int n)
{
	if (n == 0 || from < -DAY_LIMIT || from > DAY_LIMIT)
		return from;
	int64_t k = c ? (int64_t)c->n : 0;
	int64_t m = n < 0 ? -(int64_t)n : n;
	/* Any 7 * q consecutive days hold at least 5 * q - k working days, so
	 * this span is long enough to hold m of them. */
	int64_t span = 7 * ((m + k) / 5 + 1);
	if (n > 0) {
		/* Smallest d with count(from, d) >= m: count(from, lo) < m. */
		int64_t lo = from, hi = from + span;
		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;
			if (count_up(c, from, mid) >= m)
				hi = mid;
			else
				lo = mid;
		}
		return hi;
	}
	/* Largest d < from with m working days in [d, from): the count over
	 * [hi, from) stays below m, the one over [lo, from) reaches it. */
	int64_t lo = from - span, hi = from;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (count_up(c, mid - 1, from - 1) >= m)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

bool tb_calendar_covers(const struct tb_calendar *c, int64_t day)
{
	if (!c || c->n == 0)
		return false;
	int y, m, d;
	tb_date_to_ymd(day, &y, &m, &d);
	int64_t start = tb_date_from_ymd(y, 1, 1), end = tb_date_from_ymd(y + 1, 1, 1);
	size_t i = lower_bound(c, start);
	return i < c->n && c->e[i].day < end;
}

const char *tb_calendar_day_name(const struct tb_calendar *c, int64_t day)
{
	const struct entry *e = find(c, day);
	return e ? e->name : NULL;
}
