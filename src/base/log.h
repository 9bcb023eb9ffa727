/* Structured logging: one JSON object per line on standard error, written
 * with a single write(2) so that lines from threads never interleave.
 * Personal data (identity numbers, names, query strings) never goes here. */
#ifndef TB_BASE_LOG_H
#define TB_BASE_LOG_H

#include <stdbool.h>

enum tb_log_level { TB_LOG_DEBUG, TB_LOG_INFO, TB_LOG_WARN, TB_LOG_ERROR, TB_LOG__MAX };

/* Lines below this level are dropped. Default TB_LOG_INFO. */
void tb_log_set_level(enum tb_log_level lv);
/* Turns the per-request access log on or off (on by default). */
void tb_log_set_access(bool on);
bool tb_log_access_enabled(void);

/* Writes {"ts":...,"level":...,"mod":MOD,"msg":...}. */
void tb_log(enum tb_log_level lv, const char *mod, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define tb_log_info(mod, ...)  tb_log(TB_LOG_INFO, mod, __VA_ARGS__)
#define tb_log_warn(mod, ...)  tb_log(TB_LOG_WARN, mod, __VA_ARGS__)
#define tb_log_error(mod, ...) tb_log(TB_LOG_ERROR, mod, __VA_ARGS__)

/* Writes an already formatted line (the caller adds the newline). */
void tb_log_raw(const char *line, unsigned long len);

/* Appends s to out (capacity cap, current length *len) as a JSON string
 * body: quotes, backslashes and control bytes escaped. Truncates. */
void tb_log_escape(char *out, unsigned long cap, unsigned long *len, const char *s);

#endif
