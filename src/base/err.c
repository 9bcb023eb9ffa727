/* The tables behind err.h, generated from TB_ERR_TABLE. */
#include "base/err.h"

#include <stddef.h>

static const struct {
	const char *name;
	const char *message;
	int status;
} table[] = {
#define TB_ERR_ROW(n, msg, st) {#n, msg, st},
    TB_ERR_TABLE(TB_ERR_ROW)
#undef TB_ERR_ROW
};

const char *tb_err_message(enum tb_err e)
{
	return (unsigned)e < TB_ERR__MAX ? table[e].message : "internal error";
}

const char *tb_err_name(enum tb_err e)
{
	return (unsigned)e < TB_ERR__MAX ? table[e].name : "EINTERNAL";
}

int tb_err_status(enum tb_err e)
{
	return (unsigned)e < TB_ERR__MAX ? table[e].status : 500;
}

enum tb_err tb_fail(struct tb_fail *f, enum tb_err e, const char *field, const char *reason)
{
	if (f) {
		f->field = field;
		f->reason = reason;
	}
	return e;
}
