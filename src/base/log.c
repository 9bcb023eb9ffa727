/* The line logger of log.h. */
#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int min_level = TB_LOG_INFO;
static _Atomic bool access_on = true;
static const char *const names[] = {"debug", "info", "warn", "error"};

void tb_log_set_level(enum tb_log_level lv)
{
	min_level = (int)lv;
}

void tb_log_set_access(bool on)
{
	access_on = on;
}

bool tb_log_access_enabled(void)
{
	return access_on;
}

void tb_log_raw(const char *line, unsigned long len)
{
	ssize_t w;
	do
		w = write(STDERR_FILENO, line, len);
	while (w < 0 && errno == EINTR);
}

void tb_log_escape(char *out, unsigned long cap, unsigned long *len, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long n = *len;
	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			memcpy(out + n, "\\u00", 4);
			out[n + 4] = hex[c >> 4];
			out[n + 5] = hex[c & 15];
			n += 6;
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	*len = n;
}

/* TB_LOG_LEVEL=debug|info|warn|error in the environment sets the level
 * once, on the first line logged. */
static void level_from_env(void)
{
	static _Atomic bool done;
	if (done)
		return;
	done = true;
	const char *v = getenv("TB_LOG_LEVEL");
	for (int i = 0; v && i < TB_LOG__MAX; i++)
		if (strcmp(v, names[i]) == 0)
			min_level = i;
}

void tb_log(enum tb_log_level lv, const char *mod, const char *fmt, ...)
{
	level_from_env();
	if ((int)lv < min_level || (unsigned)lv >= TB_LOG__MAX)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char line[1400];
	int n = snprintf(line, sizeof(line),
	                 "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\","
	                 "\"mod\":\"%s\",\"msg\":\"",
	                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	                 tm.tm_sec, ts.tv_nsec / 1000000, names[lv], mod);
	unsigned long len = n > 0 ? (unsigned long)n : 0;
	tb_log_escape(line, sizeof(line) - 4, &len, msg);
	memcpy(line + len, "\"}\n", 3);
	tb_log_raw(line, len + 3);
}
