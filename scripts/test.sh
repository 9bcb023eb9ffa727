#!/usr/bin/env bash
# make test: installs what is missing, checks the style, builds twice (plain,
# and with AddressSanitizer + UndefinedBehaviorSanitizer), starts a
# throwaway PostgreSQL, and runs every test program of both builds. Unit
# tests run in-process; API tests start the real binary on a loopback port;
# browser tests drive the pages in Debian's chromium. With CI=true the
# PostgreSQL and browser tests are mandatory.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/check-style.sh

jobs=$(nproc 2>/dev/null || echo 2)
make -s -j"$jobs" all
make -s -j"$jobs" O=build/asan SAN=1 all

pgdir=""
cleanup() { [ -n "$pgdir" ] && ./scripts/pg-temp.sh stop "$pgdir"; }
trap cleanup EXIT
if out=$(./scripts/pg-temp.sh start); then
	pgdir=${out%% *}
	export TB_TEST_PG_URL=${out#* }
	echo "test: PostgreSQL at $TB_TEST_PG_URL"
elif [ "${CI:-}" = "true" ]; then
	echo "test: PostgreSQL could not be started, and CI=true makes it mandatory" >&2
	exit 1
else
	echo "test: PostgreSQL could not be started: its tests are skipped" >&2
fi

export TB_LOG_LEVEL=${TB_LOG_LEVEL:-error}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0
failed=0
cases=0
failed_cases=0
failures=()
for build in build build/asan; do
	export TB_TEST_BIN=$build/tongban
	for t in $(find "$build/tests" -type f -name 'test_*' -perm -u+x | sort); do
		log=$(mktemp)
		ok=0
		"$t" >"$log" 2>&1 || ok=$?
		n=$(grep -ho 'PASSED  \] [0-9]*' "$log" | awk '{s+=$3} END {print s+0}' || true)
		nf=$(grep -ho 'FAILED  \] [0-9]* test' "$log" | awk '{s+=$3} END {print s+0}' || true)
		cases=$((cases + n))
		failed_cases=$((failed_cases + nf))
		if [ $ok -eq 0 ]; then
			passed=$((passed + 1))
			echo "PASS $t ($n cases)"
		else
			[ "$nf" -eq 0 ] && failed_cases=$((failed_cases + 1))
			failed=$((failed + 1))
			failures+=("$t")
			echo "FAIL $t"
			tail -40 "$log"
		fi
		rm -f "$log"
	done
done

# Browser tests of the pages: Debian's chromium driven by playwright-core
# (from npm, pinned by tests/web/package-lock.json), against the plain build.
if command -v node >/dev/null && [ -x /usr/bin/chromium ]; then
	log=$(mktemp)
	ok=0
	(cd tests/web && npm ci --no-audit --no-fund --silent) >"$log" 2>&1 &&
		TB_TEST_BIN=build/tongban node --test tests/web/pages.test.mjs >>"$log" 2>&1 || ok=$?
	n=$(awk '/^# pass / {print $3}' "$log")
	nf=$(awk '/^# fail / {print $3}' "$log")
	cases=$((cases + ${n:-0}))
	failed_cases=$((failed_cases + ${nf:-0}))
	if [ $ok -eq 0 ]; then
		passed=$((passed + 1))
		echo "PASS tests/web/pages.test.mjs (${n:-0} cases)"
	else
		[ "${nf:-0}" -eq 0 ] && failed_cases=$((failed_cases + 1))
		failed=$((failed + 1))
		failures+=("tests/web/pages.test.mjs")
		echo "FAIL tests/web/pages.test.mjs"
		grep -v '^# {' "$log" | tail -40
	fi
	rm -f "$log"
elif [ "${CI:-}" = "true" ]; then
	echo "test: node or /usr/bin/chromium missing, and CI=true makes the browser tests mandatory" >&2
	exit 1
else
	echo "test: node or /usr/bin/chromium missing: browser tests skipped" >&2
fi

echo
echo "test programs: $passed of $((passed + failed)) passed"
echo "tests: $cases passed, $failed_cases failed"
[ $failed -eq 0 ] || { printf 'failed: %s\n' "${failures[@]}"; exit 1; }
