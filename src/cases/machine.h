/* The case state machine: one static table {from, event, role, to}
 * (transitions.tsv, built into the binary). No transition is coded by hand
 * anywhere else: the case domain asks tb_machine_next. */
#ifndef TB_CASES_MACHINE_H
#define TB_CASES_MACHINE_H

#include "base/err.h"
#include "identity/authz.h"

#include <stdbool.h>

/* The state a case in from moves to when p does event over o: the first
 * row {from, event, role, to} whose role p holds for action "case.EVENT"
 * over o ("applicant" is the person themself or their agent). p NULL is
 * the platform itself, which may take only the rows of role "system". TB_OK and
 * *to; TB_ECONFLICT when no row leaves from by event (the event is not
 * possible now); TB_EDENIED / TB_EUNAUTH when rows exist but p holds none
 * of their roles. */
enum tb_err tb_machine_next(const char *from, const char *event, const struct tb_principal *p,
                            const struct tb_authz_object *o, const char **to);

/* The events p may take on a case in state from over o (each once, in
 * table order), into out (at most max); returns how many. What the pages
 * offer as buttons: the same table and policy that tb_machine_next asks. */
int tb_machine_allowed(const char *from, const struct tb_principal *p,
                       const struct tb_authz_object *o, const char **out, int max);

/* True when event names some row of the table. */
bool tb_machine_event_known(const char *event);

/* Row i of the table, for tests; false past the end. */
bool tb_machine_row(int i, const char **from, const char **event, const char **role,
                    const char **to);

#endif
