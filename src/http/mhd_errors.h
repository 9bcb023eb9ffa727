/* libmicrohttpd's own refusals answered as the platform's JSON errors. */
#ifndef TB_HTTP_MHD_ERRORS_H
#define TB_HTTP_MHD_ERRORS_H

#include <stdbool.h>

/* True when libmicrohttpd's error pages come through this module (the
 * library calls its response constructor through its PLT, so the
 * definition in mhd_errors.c takes the call). tb_http_start logs a
 * warning when not: then those refusals stay HTML. Referencing it also
 * links mhd_errors.o into every program that runs the server. */
bool tb_mhd_errors_json(void);

#endif
