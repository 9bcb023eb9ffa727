#!/usr/bin/env bash
# The long crash-safety run (make crash): tests/api/test_crash (kill -9 of
# the server under write load, then nothing acknowledged lost and the audit
# chain intact) with ROUNDS kill cycles on each store instead of make test's 3.
#
#   scripts/crash.sh DIR ROUNDS
#
# DIR is the build folder holding tongban and tests/api/test_crash. The
# PostgreSQL group uses TB_TEST_PG_URL when set, else a throwaway cluster
# (scripts/pg-temp.sh) started here and stopped at the end. Exits with the
# test program's status.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

dir=${1:?usage: scripts/crash.sh DIR ROUNDS}
rounds=${2:?usage: scripts/crash.sh DIR ROUNDS}

pg_dir=
if [ -z "${TB_TEST_PG_URL:-}" ]; then
	out=$(scripts/pg-temp.sh start) || { echo "crash: cannot start PostgreSQL" >&2; exit 1; }
	pg_dir=${out%% *}
	export TB_TEST_PG_URL=${out#* }
	trap 'scripts/pg-temp.sh stop "$pg_dir" >/dev/null 2>&1' EXIT
fi

export TB_TEST_MODE=1 TB_TEST_BIN=$dir/tongban TB_LOG_LEVEL=${TB_LOG_LEVEL:-error}
export TB_CRASH_ROUNDS=$rounds
start=$(date +%s)
"$dir/tests/api/test_crash"
rc=$?
echo "crash: $rounds kill cycles per store in $(( $(date +%s) - start )) s: $([ $rc -eq 0 ] && echo passed || echo FAILED)"
exit $rc
