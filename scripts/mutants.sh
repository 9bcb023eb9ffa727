#!/usr/bin/env bash
# make mutants: mutation testing. Applies each one-line mutation of
# tests/mutants.tsv, one at a time, to a copy of the working tree (in /tmp;
# the tree itself is never edited), builds the copy (plain build), runs the
# test programs the row names, and prints the mutation as killed (some
# program failed), SURVIVED (all passed), or "not applied" (its original
# line is not in the file, or is there more than once: the source changed
# under it, fix the row). Ends with "mutants: K killed of N".
#
#   scripts/mutants.sh [NAME...]   only the named mutations
#   scripts/mutants.sh --check     only says which rows apply (no build)
#
# Test programs run one at a time through scripts/test.sh PROGRAM (the same
# checks as make test: exit status, group teardowns, child servers,
# sanitizers, timeout), on SQLite only unless MUTANTS_PG=1 (then with
# TB_TEST_PG_URL, which must be set). A program that fails on the unmutated
# copy cannot kill anything: it is reported and left out. MUTANTS_JOBS
# (default 2) is make's -j; MUTANTS_KEEP=1 keeps the copy.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
list=tests/mutants.tsv
jobs=${MUTANTS_JOBS:-2}

[ "${MUTANTS_PG:-}" = 1 ] || unset TB_TEST_PG_URL
unset CI
export TB_TEST_TIMEOUT=${TB_TEST_TIMEOUT:-300}

check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi

work=$(mktemp -d /tmp/tongban-mutants.XXXXXX)
cleanup() { [ "${MUTANTS_KEEP:-}" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT
echo "mutants: copying the tree to $work"
# The working tree as it is now, without builds, data or git.
tar -C "$root" --exclude='./build*' --exclude=./.git --exclude=./tongban-data \
	--exclude=./tests/web/node_modules -cf - . | tar -C "$work" -xf -
cd "$work"

# Rows: name, file, original line, replacement, test programs (comma-
# separated, under tests/). In the line fields \t is a tab and \n a newline.
# The original is compared with leading and trailing blanks removed; the
# replacement keeps the original's indentation.
mapfile -t rows < <(grep -v '^#' "$list" | grep -v '^[[:space:]]*$')
want=("$@")
selected=()
for r in "${rows[@]}"; do
	IFS=$'\t' read -r name _ <<<"$r"
	if [ ${#want[@]} -eq 0 ] || printf '%s\n' "${want[@]}" | grep -qxF "$name"; then
		selected+=("$r")
	fi
done
[ ${#selected[@]} -gt 0 ] || { echo "mutants: no such mutation: $*" >&2; exit 2; }

# apply FILE ORIGINAL REPLACEMENT: prints the number of lines that matched;
# changes the file only when exactly one did.
apply() {
	perl -e '
		my ($file, $orig, $repl) = @ARGV;
		for ($orig, $repl) { s/\\t/\t/g; s/\\n/\n/g; }
		my @want = map { my $l = $_; $l =~ s/^\s+|\s+$//g; $l } split /\n/, $orig, -1;
		open(my $in, "<", $file) or do { print "0\n"; exit 0 };
		my @lines = <$in>;
		close $in;
		my @hits;
		for my $i (0 .. $#lines - $#want) {
			my $ok = 1;
			for my $k (0 .. $#want) {
				my $l = $lines[$i + $k];
				$l =~ s/^\s+|\s+$//g;
				if ($l ne $want[$k]) { $ok = 0; last; }
			}
			push @hits, $i if $ok;
		}
		print scalar(@hits), "\n";
		exit 0 unless @hits == 1;
		my $i = $hits[0];
		my ($indent) = $lines[$i] =~ /^([ \t]*)/;
		my @new = map { $indent . $_ . "\n" } split /\n/, $repl, -1;
		splice @lines, $i, scalar(@want), @new;
		open(my $out, ">", $file) or die "$file: $!";
		print $out @lines;
		close $out;
	' "$@"
}

if [ $check = 1 ]; then
	bad=0
	for r in "${selected[@]}"; do
		IFS=$'\t' read -r name file orig repl progs _ <<<"$r"
		cp "$file" "$work/.orig"
		hits=$(apply "$file" "$orig" "$repl")
		cp "$work/.orig" "$file"
		if [ "$hits" = 1 ]; then
			echo "applies $name"
		else
			echo "not applied $name: $hits lines of $file match its original line"
			bad=1
		fi
	done
	exit $bad
fi

programs_of() { tr ',' '\n' <<<"$1" | sed '/^$/d'; }

build() { make -s -j"$jobs" O=build build/tongban "$@" >build.log 2>&1; }

# Every program some selected row names, built and run once unmutated.
mapfile -t all_progs < <(for r in "${selected[@]}"; do
	IFS=$'\t' read -r _ _ _ _ progs _ <<<"$r"
	programs_of "$progs"
done | sort -u)
targets=()
for p in "${all_progs[@]}"; do targets+=("build/tests/$p"); done
echo "mutants: building the unmutated copy"
if ! build "${targets[@]}"; then
	tail -30 build.log
	echo "mutants: the unmutated copy does not build" >&2
	exit 2
fi
declare -A broken=()
export TB_TEST_BIN=build/tongban
for p in "${all_progs[@]}"; do
	if ./scripts/test.sh "build/tests/$p" >baseline.log 2>&1; then
		echo "mutants: baseline ok: $p"
	else
		broken[$p]=1
		echo "mutants: baseline FAILS: $p (left out: it cannot kill anything)"
		grep -E '^FAIL|ERROR|error:' baseline.log | head -5 | sed 's/^/    /'
	fi
done

killed=0
survived=()
not_applied=()
untested=()
n=0
for r in "${selected[@]}"; do
	IFS=$'\t' read -r name file orig repl progs _ <<<"$r"
	n=$((n + 1))
	cp "$file" "$work/.orig"
	hits=$(apply "$file" "$orig" "$repl")
	if [ "$hits" != 1 ]; then
		echo "not applied $name: $hits lines of $file match its original line"
		not_applied+=("$name")
		continue
	fi
	verdict=""
	mapfile -t progs_list < <(programs_of "$progs")
	targets=()
	for p in "${progs_list[@]}"; do targets+=("build/tests/$p"); done
	if ! build "${targets[@]}"; then
		verdict="build failed"
		tail -5 build.log | sed 's/^/    /'
	else
		ran=0
		for p in "${progs_list[@]}"; do
			[ -z "${broken[$p]:-}" ] || continue
			ran=1
			if ! ./scripts/test.sh "build/tests/$p" >run.log 2>&1; then
				verdict="killed by $p"
				break
			fi
		done
		[ $ran -eq 1 ] || verdict="untested"
	fi
	cp "$work/.orig" "$file"
	case $verdict in
	killed*)
		killed=$((killed + 1))
		echo "killed $name ($verdict)"
		;;
	"")
		survived+=("$name")
		echo "SURVIVED $name ($progs)"
		;;
	*)
		untested+=("$name")
		echo "NOT TESTED $name ($verdict)"
		;;
	esac
done

echo
[ ${#survived[@]} -eq 0 ] || echo "survived: ${survived[*]}"
[ ${#not_applied[@]} -eq 0 ] || echo "not applied (original line changed): ${not_applied[*]}"
[ ${#untested[@]} -eq 0 ] || echo "not tested (build failed or baseline fails): ${untested[*]}"
echo "mutants: $killed killed of $n"
[ "$killed" -eq "$n" ]
