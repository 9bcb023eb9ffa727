/* Department sectors: what kind of body a department is (market
 * regulation, civil affairs, public security, ...). The sector binds
 * authority given by law to a kind of body, as data: a certificate type
 * lists the sectors that issue it (data/certs/types.json), and a
 * government service centre ('centre') hosts the general window. */
#ifndef TB_IDENTITY_SECTORS_H
#define TB_IDENTITY_SECTORS_H

#include <stdbool.h>

/* True when key is a known sector key ("" is not). */
bool tb_sector_known(const char *key);
/* The Chinese name of sector key (e.g. "民政"), or "" when unknown. */
const char *tb_sector_name(const char *key);
/* True when the comma-separated list holds key (an empty key never). */
bool tb_sector_in(const char *list, const char *key);

#endif
