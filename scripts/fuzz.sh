#!/usr/bin/env bash
# Runs the libFuzzer harnesses built by `make fuzzers` (tests/fuzz/fuzz_NAME.c
# -> DIR/fuzz_NAME), one after the other, each for SECONDS:
#
#   scripts/fuzz.sh DIR SECONDS [NAME...]
#
# make fuzz runs it with FUZZ_SECONDS (default 60); make test (scripts/test.sh)
# with a few seconds each. Each harness starts from its seed corpus
# tests/fuzz/corpus/NAME (never written) and DIR/corpus/NAME (what earlier runs
# found, kept between runs). A crash, a sanitizer report, a leak, a timeout of
# one input (FUZZ_TIMEOUT seconds, default 25) or running out of memory fails
# the harness: the input is kept as DIR/artifacts/NAME-crash-... (add it to the
# seed corpus and write a unit test for it) and the log's tail is printed.
# Prints one line per harness (executions, coverage, corpus) and a total;
# exits 1 when any harness failed.
#
# FUZZ_RUNS=N and FUZZ_SEED=S make a pass repeatable: each harness replays
# its corpus and then runs N inputs from seed S (SECONDS still caps it).
# make test uses that, so that its result does not depend on luck or on
# the machine's speed; exploring is make fuzz's job.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

dir=${1:?usage: scripts/fuzz.sh DIR SECONDS [NAME...]}
seconds=${2:?usage: scripts/fuzz.sh DIR SECONDS [NAME...]}
shift 2
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do
		n=${f#tests/fuzz/fuzz_}
		names+=("${n%.c}")
	done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TB_LOG_LEVEL=${TB_LOG_LEVEL:-error}
# Harnesses that open a store or a server keep it in a temporary folder
# under TMPDIR, which they remove when they exit; a crash leaves it, so each
# harness gets a TMPDIR of its own, removed after it.
mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/logs"
tmp=$(cd "$dir" && pwd)/tmp

failed=()
total_execs=0
start=$(date +%s)
for n in "${names[@]}"; do
	bin=$dir/fuzz_$n
	log=$dir/logs/$n.log
	if [ ! -x "$bin" ]; then
		echo "fuzz $n: $bin not built (make fuzzers)" >&2
		failed+=("$n")
		continue
	fi
	mkdir -p "$dir/corpus/$n"
	touch "$log.start"
	t0=$(date +%s)
	ok=0
	# The http harness runs the server's threads in the fuzzer's process:
	# OpenSSL's per-thread state of its workers reads as a leak at exit, and
	# a per-input leak check cannot tell whose allocation is whose. The
	# server's leaks are checked by the API tests under ASan instead.
	leaks=()
	env=()
	if [ "$n" = http ]; then
		leaks=(-detect_leaks=0)
		env=(ASAN_OPTIONS="${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0}")
	fi
	# Two corpus folders: new inputs go to the first. -timeout is per input;
	# the overall limit is the time given plus the harness's start.
	rm -rf "$tmp"
	mkdir -p "$tmp"
	env "${env[@]}" TMPDIR="$tmp" timeout --kill-after=10 $((seconds + 120)) "$bin" "${leaks[@]}" \
		-max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
		-timeout="${FUZZ_TIMEOUT:-25}" -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$n-" \
		"$dir/corpus/$n" "tests/fuzz/corpus/$n" >"$log" 2>&1 || ok=$?
	rm -rf "$tmp"
	execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
	units=$(find "$dir/corpus/$n" -type f | wc -l)
	total_execs=$((total_execs + ${execs:-0}))
	if [ $ok -eq 0 ] && ! grep -aqE 'ERROR: (libFuzzer|[A-Za-z]*Sanitizer)|runtime error:' "$log"; then
		echo "fuzz $n: ${execs:-0} executions in $(($(date +%s) - t0)) s, coverage ${cov:-?}, corpus $units"
	else
		failed+=("$n")
		echo "fuzz $n: FAILED (exit $ok) after ${execs:-?} executions; log $log"
		grep -a -A40 -E '==ERROR|ERROR: libFuzzer|runtime error:|fuzz_[a-z]*:|^fuzz:' "$log" | head -60
		find "$dir/artifacts" -name "$n-*" -newer "$log.start" | sed 's/^/  input kept: /'
	fi
done
echo "fuzz: ${#names[@]} harnesses, $total_execs executions in $(($(date +%s) - start)) s, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ] || {
	echo "fuzz: failed: ${failed[*]}"
	exit 1
}
