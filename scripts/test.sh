#!/usr/bin/env bash
# make test: installs what is missing, checks the style, builds twice (plain,
# and with AddressSanitizer + UndefinedBehaviorSanitizer), starts a
# throwaway PostgreSQL, and runs every test program of both builds. Unit
# tests run in-process; API tests start the real binary on a loopback port;
# browser tests drive the pages in Debian's chromium; a pinned validator
# checks docs/openapi.yaml. With CI=true the PostgreSQL and browser tests
# and the OpenAPI validation are mandatory.
#
# scripts/test.sh PROGRAM...: runs only those (built) test programs, through
# the same checks and summary, and nothing else: no style check, no build,
# no PostgreSQL of its own (TB_TEST_PG_URL is used when set), no browser
# tests. TB_TEST_BIN names the binary (default build/tongban).
#
# A test program fails when it exits non-zero, when its output shows a
# failed group setup or teardown or a sanitizer report (its own, or a child
# server's, which tests/support.c copies there), or when it runs longer than
# TB_TEST_TIMEOUT seconds (default 600). The summary says how many cases
# ran on each store and which groups were skipped, and why.
set -euo pipefail
cd "$(dirname "$0")/.."

export TB_LOG_LEVEL=${TB_LOG_LEVEL:-error}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The security settings tests lower are honoured only in test mode.
export TB_TEST_MODE=1
test_timeout=${TB_TEST_TIMEOUT:-600}
passed=0
failed=0
cases=0
failed_cases=0
store_sqlite=0
store_pg=0
store_none=0
failures=()
skips=()

# run_program T: runs test program T and adds it to the counts above.
run_program() {
	local t=$1 log ok=0 n nf why=()
	log=$(mktemp)
	timeout --kill-after=10 "$test_timeout" "$t" >"$log" 2>&1 || ok=$?
	n=$(grep -ho 'PASSED  \] [0-9]*' "$log" | awk '{s+=$3} END {print s+0}' || true)
	# Lines "[  GROUP   ] NAME: R run, F failed" (tests/support.c): F counts
	# failed tests and failed group fixtures and child servers.
	nf=$(awk '/^\[  GROUP   \] / {s+=$(NF-1)} END {print s+0}' "$log")
	if ! grep -q '^\[  GROUP   \] ' "$log"; then
		nf=$(grep -ho 'FAILED  \] [0-9]* test' "$log" | awk '{s+=$3} END {print s+0}' || true)
		why+=("no group summary (does it include support.h?)")
	fi
	read -r sq pg none < <(awk '/^\[  GROUP   \] / {
		name = $4; sub(/:$/, "", name); r = $5
		if (name ~ /\/sqlite$/) sq += r; else if (name ~ /\/postgresql$/) pg += r; else none += r
	} END {print sq+0, pg+0, none+0}' "$log")
	store_sqlite=$((store_sqlite + sq))
	store_pg=$((store_pg + pg))
	store_none=$((store_none + none))
	while IFS= read -r line; do skips+=("$line"); done < <(grep '^skipped: ' "$log" || true)
	if [ $ok -eq 124 ] || [ $ok -eq 137 ]; then
		why+=("timed out after ${test_timeout}s")
	elif [ $ok -ne 0 ]; then
		why+=("exit status $ok")
	fi
	grep -qE 'GROUP (SETUP|TEARDOWN)|group (setup|teardown) failed' "$log" &&
		why+=("a group setup or teardown failed")
	grep -qE 'ERROR: [A-Za-z]*Sanitizer|SUMMARY: [A-Za-z]*Sanitizer|runtime error:' "$log" &&
		why+=("sanitizer report")
	grep -q 'child server(s) failed' "$log" && why+=("a child server failed")
	cases=$((cases + n))
	if [ ${#why[@]} -eq 0 ]; then
		passed=$((passed + 1))
		failed_cases=$((failed_cases + nf))
		echo "PASS $t ($n cases)"
	else
		[ "$nf" -eq 0 ] && nf=1
		failed_cases=$((failed_cases + nf))
		failed=$((failed + 1))
		failures+=("$t")
		echo "FAIL $t: $(printf '%s; ' "${why[@]}" | sed 's/; $//')"
		tail -40 "$log"
	fi
	rm -f "$log"
}

summary() {
	echo
	echo "test programs: $passed of $((passed + failed)) passed"
	echo "stores: $store_sqlite cases ran on SQLite, $store_pg on PostgreSQL, $store_none on none"
	if [ ${#skips[@]} -gt 0 ]; then
		printf '%s\n' "${skips[@]}" | sed 's/^skipped: [^:]*: //' | sort | uniq -c |
			awk '{n=$1; $1=""; sub(/^ /, ""); print "skipped in " n " program(s): " $0}'
	fi
	echo "tests: $cases passed, $failed_cases failed"
	[ $failed -eq 0 ] || { printf 'failed: %s\n' "${failures[@]}"; exit 1; }
}

if [ $# -gt 0 ]; then
	export TB_TEST_BIN=${TB_TEST_BIN:-build/tongban}
	for t in "$@"; do run_program "$t"; done
	summary
	exit 0
fi

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
	skips+=("skipped: test.sh: PostgreSQL groups: PostgreSQL could not be started")
fi

for build in build build/asan; do
	export TB_TEST_BIN=$build/tongban
	for t in $(find "$build/tests" -type f -name 'test_*' -perm -u+x | sort); do
		run_program "$t"
	done
done

# A short pass of every libFuzzer harness (tests/fuzz, scripts/fuzz.sh;
# make fuzz runs them longer), built by clang with ASan + UBSan into
# build/fuzz/: the corpus and 20,000 inputs of a fixed seed each (at most
# TB_FUZZ_SECONDS, default 20), counted as one program.
fuzz_ok() {
	local d
	command -v clang >/dev/null || return 1
	d=$(mktemp -d)
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\n%s\n' \
		'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' >"$d/t.c"
	clang -fsanitize=fuzzer,address,undefined "$d/t.c" -o "$d/t" >/dev/null 2>&1
	local ok=$?
	rm -rf "$d"
	return $ok
}
if fuzz_ok; then
	make -s -j"$jobs" fuzzers
	log=$(mktemp)
	t0=$(date +%s)
	ok=0
	# Repeatable: the corpus, then the same 20,000 inputs of seed 1 each
	# (capped at TB_FUZZ_SECONDS); a fresh corpus folder, so that what an
	# earlier make fuzz found locally does not change the pass.
	rm -rf build/fuzz/corpus
	FUZZ_RUNS=${TB_FUZZ_RUNS:-20000} FUZZ_SEED=1 \
		./scripts/fuzz.sh build/fuzz "${TB_FUZZ_SECONDS:-20}" >"$log" 2>&1 || ok=$?
	nh=$(find tests/fuzz -maxdepth 1 -name 'fuzz_*.c' | wc -l)
	nfh=$(grep -c '^fuzz [a-z_]*: FAILED' "$log" || true)
	cases=$((cases + nh - nfh))
	if [ $ok -eq 0 ]; then
		passed=$((passed + 1))
		echo "PASS tests/fuzz ($nh harnesses, $(($(date +%s) - t0)) s, $(awk '/^fuzz: / {print $4}' "$log") executions)"
	else
		[ "$nfh" -eq 0 ] && nfh=1
		failed_cases=$((failed_cases + nfh))
		failed=$((failed + 1))
		failures+=("tests/fuzz")
		echo "FAIL tests/fuzz: $(grep -o '^fuzz: failed: .*' "$log" | sed 's/^fuzz: failed: //')"
		tail -60 "$log"
	fi
	rm -f "$log"
elif [ "${CI:-}" = "true" ]; then
	echo "test: clang with libFuzzer missing, and CI=true makes the fuzz pass mandatory" >&2
	exit 1
else
	echo "test: clang with libFuzzer missing: fuzz pass skipped" >&2
	skips+=("skipped: test.sh: fuzz pass: clang with libFuzzer missing")
fi

# docs/openapi.yaml checked by a real validator: @apidevtools/swagger-parser
# (from npm, pinned by tests/openapi/package-lock.json) against the OpenAPI
# 3.0 schema; tests/http/test_openapi compares it with the route table.
if command -v node >/dev/null; then
	log=$(mktemp)
	ok=0
	{ (cd tests/openapi && npm ci --no-audit --no-fund --silent) &&
		node tests/openapi/validate.mjs docs/openapi.yaml; } >"$log" 2>&1 || ok=$?
	if [ $ok -eq 0 ]; then
		passed=$((passed + 1))
		cases=$((cases + 1))
		echo "PASS tests/openapi (docs/openapi.yaml valid)"
	else
		failed=$((failed + 1))
		failed_cases=$((failed_cases + 1))
		failures+=("tests/openapi")
		echo "FAIL tests/openapi"
		tail -60 "$log"
	fi
	rm -f "$log"
elif [ "${CI:-}" = "true" ]; then
	echo "test: node missing, and CI=true makes the OpenAPI validation mandatory" >&2
	exit 1
else
	echo "test: node missing: OpenAPI validation skipped" >&2
	skips+=("skipped: test.sh: OpenAPI validation: node missing")
fi

# Browser tests of the pages: Debian's chromium driven by playwright-core
# (from npm, pinned by tests/web/package-lock.json), against the plain build.
if command -v node >/dev/null && [ -x /usr/bin/chromium ]; then
	log=$(mktemp)
	# Each file is a program of its own: its own server and browser (none
	# when npm ci failed: that failure is the one to read).
	web_tests=(tests/web/*.test.mjs)
	if ! (cd tests/web && npm ci --no-audit --no-fund --silent) >"$log" 2>&1; then
		cat "$log"
		failed=$((failed + 1))
		failures+=("tests/web: npm ci")
		failed_cases=$((failed_cases + 1))
		web_tests=()
	fi
	for t in "${web_tests[@]}"; do
		ok=0
		TB_TEST_BIN=build/tongban timeout --kill-after=10 "$test_timeout" node --test "$t" >"$log" 2>&1 || ok=$?
		n=$(awk '/^# pass / {print $3}' "$log")
		nf=$(awk '/^# fail / {print $3}' "$log")
		cases=$((cases + ${n:-0}))
		failed_cases=$((failed_cases + ${nf:-0}))
		if [ $ok -eq 0 ]; then
			passed=$((passed + 1))
			echo "PASS $t (${n:-0} cases)"
		else
			[ "${nf:-0}" -eq 0 ] && failed_cases=$((failed_cases + 1))
			failed=$((failed + 1))
			failures+=("$t")
			echo "FAIL $t"
			# Each failed test with its reason, else the end of the log.
			if grep -q '^not ok' "$log"; then
				grep -v '^# {' "$log" | grep -A30 '^not ok' | head -120
			else
				grep -v '^# {' "$log" | tail -40
			fi
		fi
	done
	rm -f "$log"
elif [ "${CI:-}" = "true" ]; then
	echo "test: node or /usr/bin/chromium missing, and CI=true makes the browser tests mandatory" >&2
	exit 1
else
	echo "test: node or /usr/bin/chromium missing: browser tests skipped" >&2
	skips+=("skipped: test.sh: browser tests: node or /usr/bin/chromium missing")
fi

# Two provinces' platforms (make federation-test, issue 18): sign-in
# across, forwarded cases, and each killed -9 in the middle of an
# exchange; it passes when every message arrived exactly once.
if command -v node >/dev/null; then
	log=$(mktemp)
	ok=0
	timeout --kill-after=10 600 node tests/federation/federation-test.mjs build/tongban >"$log" 2>&1 || ok=$?
	last=$(tail -n 1 "$log")
	if [ $ok -eq 0 ] && [[ $last == "federation-test: ok "* ]]; then
		passed=$((passed + 1))
		cases=$((cases + 1))
		echo "PASS tests/federation (${last#federation-test: })"
	else
		failed=$((failed + 1))
		failed_cases=$((failed_cases + 1))
		failures+=("tests/federation")
		echo "FAIL tests/federation"
		tail -40 "$log"
	fi
	rm -f "$log"
fi

# The cluster (make cluster-test): two nodes behind haproxy on a
# pg_auto_failover PostgreSQL, a node and then the primary killed -9 under
# load; it passes when every acknowledged submission is there afterwards.
if command -v pg_autoctl >/dev/null && command -v haproxy >/dev/null; then
	log=$(mktemp)
	ok=0
	timeout --kill-after=10 600 ./scripts/cluster.sh test build/tongban >"$log" 2>&1 || ok=$?
	last=$(tail -n 1 "$log")
	if [ $ok -eq 0 ] && [[ $last == "cluster-test: acknowledged "*", lost 0, failover "* ]]; then
		passed=$((passed + 1))
		cases=$((cases + 1))
		echo "PASS tests/cluster (${last#cluster-test: })"
	else
		failed=$((failed + 1))
		failed_cases=$((failed_cases + 1))
		failures+=("tests/cluster")
		echo "FAIL tests/cluster"
		tail -60 "$log"
	fi
	rm -f "$log"
elif [ "${CI:-}" = "true" ]; then
	echo "test: pg_autoctl or haproxy missing, and CI=true makes the cluster test mandatory" >&2
	exit 1
else
	echo "test: pg_autoctl or haproxy missing: cluster test skipped" >&2
	skips+=("skipped: test.sh: cluster test: pg_autoctl or haproxy missing")
fi

summary
