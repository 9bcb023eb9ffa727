/* Checks of the free-text fields people type: names, phone numbers,
 * passwords. Each returns TB_OK or TB_EINVAL with f naming field and the
 * reason. */
#ifndef TB_IDENTITY_VALIDATE_H
#define TB_IDENTITY_VALIDATE_H

#include "base/err.h"

/* A person's real name: 1-50 characters of clean UTF-8 (no control
 * characters), no ASCII digits or symbols other than space, '.', '-' and
 * the middle dot of minority names (·). */
enum tb_err tb_check_person_name(const char *s, const char *field, struct tb_fail *f);
/* An organisation's or department's name: 2-100 characters, one line. */
enum tb_err tb_check_org_name(const char *s, const char *field, struct tb_fail *f);
/* A mainland mobile number: 11 digits starting 13-19. */
enum tb_err tb_check_phone(const char *s, const char *field, struct tb_fail *f);
/* A password: 8-128 bytes of clean UTF-8, not all one character class of
 * digits only. */
enum tb_err tb_check_password(const char *s, const char *field, struct tb_fail *f);

#endif
