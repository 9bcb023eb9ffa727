#!/bin/sh
# The style check of make test: clang-format (the repository's
# .clang-format) must leave every C file unchanged, and no C file may call
# a banned function (unbounded or locale-blind: use snprintf, memcpy with a
# length, strtol, and tb_buf instead).
set -eu
cd "$(dirname "$0")/.."

files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || true)
[ -n "$files" ] || files=$(find src tests tools -name '*.[ch]')
status=0

# shellcheck disable=SC2086
if ! clang-format --dry-run --Werror $files 2>/tmp/tongban-format.$$; then
	echo "check-style: clang-format would change these files (run 'make format'):" >&2
	grep -o '^[^:]*\.[ch]' /tmp/tongban-format.$$ | sort -u >&2
	status=1
fi
rm -f /tmp/tongban-format.$$

banned='\<(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|strncpy|tmpnam|mktemp)[[:space:]]*\('
# shellcheck disable=SC2086
if grep -nE "$banned" $files | grep -v 'check-style: allow'; then
	echo "check-style: banned functions above (see scripts/check-style.sh)" >&2
	status=1
fi
[ $status -eq 0 ] && echo "check-style: ok ($(echo "$files" | wc -w) files)"
exit $status
