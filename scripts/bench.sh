#!/usr/bin/env bash
# make bench: starts tongban (SQLite, demo data, --bench) on a free loopback
# port, drives it with wrk and prints requests/s and p99 latency for each
# endpoint, with the ratio to the trivial in-process handler measured in
# the same run. Figures vary with the machine's load: compare ratios.
#   scripts/bench.sh [BIN] [SECTION...]   (make bench BENCH="SECTION...")
# runs every section, or only those named: api (small reads, logins,
# certificates), catalog (1,200,000 items), catalog-pg (the same on a
# throwaway PostgreSQL), cases (= queue indicators
# submit, over 1,000,000 generated cases), queue (the workbench queue
# page's API calls), indicators, submit (durable submissions), sharing
# (audited verifications over 1,000,000 subjects), lighthouse (the pages
# in Lighthouse's mobile mode, scripts/lighthouse); and only when named,
# pg (make bench-pg: 10,000,000 cases and 1,200,000 items on a PostgreSQL
# that flushes its commits, beside pgbench; about an hour).
#   BENCH_SECONDS (default 5), BENCH_CONNS (default 64), BENCH_THREADS (wrk, 1)
#   BENCH_PG_CATALOG=0: pg without its catalog part (the cases' figures alone)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/tongban}
shift || true
sections=" $* "
sections=${sections/ cases / queue indicators submit }
# want NAME: true when NAME is to run (every section when none is named).
want() { [ -z "${sections// /}" ] || [[ $sections == *" $1 "* ]]; }
secs=${BENCH_SECONDS:-5}
conns=${BENCH_CONNS:-64}
wthreads=${BENCH_THREADS:-1}
command -v wrk >/dev/null || ./scripts/install-deps.sh

dir=$(mktemp -d /tmp/tongban-bench.XXXXXX)
pid=
# serve ARGS... -> starts tongban serve on a free loopback port (the one
# before it stopped), sets pid and base
serve() {
	stop
	local out
	out=$(mktemp "$dir/out.XXXX")
	"$bin" serve --listen 127.0.0.1:0 "$@" >"$out" 2>>"$dir/server.log" &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q listening "$out" 2>/dev/null && break
		sleep 0.1
	done
	port=$(grep -o '127.0.0.1:[0-9]*' "$out" | head -1 | cut -d: -f2)
	[ -n "$port" ] || { echo "bench: server did not start" >&2; cat "$dir/server.log" >&2; exit 1; }
	base="http://127.0.0.1:$port"
}
stop() {
	[ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
	pid=
}
pg_dir=
cleanup() { stop; [ -z "$pg_dir" ] || ./scripts/pg-temp.sh stop "$pg_dir"; rm -rf "$dir"; }
trap cleanup EXIT

# run NAME PATH [wrk options...] -> sets rps and p99 (milliseconds)
run() {
	local out name=$1 path=$2
	shift 2
	out=$(wrk -t"$wthreads" -c"$conns" -d"${secs}s" --latency "$@" "$base$path")
	rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}')
	errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}')
	[ -z "$errors" ] || echo "bench: $name: $errors" >&2
}

# login ID -> sets session cookie and csrf token
login() {
	local body
	body=$(curl -sf -D "$dir/hdr" -H 'Content-Type: application/json' \
		-d "{\"login\":\"$1\",\"password\":\"tongban-demo\"}" "$base/api/v1/auth/login")
	cookie=$(tr -d '\r' <"$dir/hdr" | awk -F'[ ;]' 'tolower($1) == "set-cookie:" {print $2}')
	csrf=$(echo "$body" | grep -o '"csrf_token":"[^"]*"' | cut -d'"' -f4)
}

row() {
	printf '%-44s %12.0f %10.2f %10.2f\n' "$1" "$rps" "$p99" "$(echo "$rps $trivial" | awk '{printf "%.2f", $1/$2}')"
}

echo "tongban bench: $(nproc) CPUs, wrk -t$wthreads -c$conns -d${secs}s (store: SQLite unless a section says otherwise)"
if want api; then
serve --data "$dir" --demo --bench
printf '%-44s %12s %10s %10s\n' endpoint "requests/s" "p99 ms" "x trivial"
run trivial /_bench/trivial
trivial=$rps
printf '%-44s %12.0f %10.2f %10s\n' "GET /_bench/trivial (in-process, no store)" "$rps" "$p99" "1.00"
while read -r path name; do
	curl -sf -o /dev/null "$base$path" || { echo "bench: $path does not answer 200" >&2; exit 1; }
	run "$name" "$path"
	row "$name"
done <<'LIST'
/healthz GET /healthz (store round trip)
/api/v1/regions/330106 GET /api/v1/regions/330106
/api/v1/codes/check?code=33010619900101123X GET /api/v1/codes/check?code=...
/api/v1/calendar/add-workdays?from=2026-02-13&days=3 GET /api/v1/calendar/add-workdays
LIST

# Identity: an authenticated read (session cookie, grants loaded from the
# store on every request) and password logins (argon2id dominates).
cookie=$(curl -sf -D - -o /dev/null -H 'Content-Type: application/json' \
	-d '{"login":"33010619900101123X","password":"tongban-demo"}' "$base/api/v1/auth/login" |
	tr -d '\r' | awk -F'[ ;]' '/^Set-Cookie:/ {print $2}')
[ -n "$cookie" ] || { echo "bench: demo login failed" >&2; exit 1; }
run "GET /api/v1/me" /api/v1/me -H "Cookie: $cookie"
row "GET /api/v1/me (session cookie)"
cat >"$dir/login.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"login":"33010619900101123X","password":"tongban-demo"}'
wrk.headers["Content-Type"] = "application/json"
LUA
saved=$conns
conns=4
run "POST /api/v1/auth/login" /api/v1/auth/login -s "$dir/login.lua"
conns=$saved
row "POST /api/v1/auth/login (argon2id, 4 conns)"
echo "argon2id t=3 m=64 MiB (libsodium): one login costs about $(echo "$rps" | awk "{printf \"%.0f\", 2000/\$1}") ms of CPU on these 2 cores"

# E-certificates: issuing (one durable transaction: serial, record signed
# with the department's SM2 key, audit) and public verification (the
# stored record's signature checked again), beside raw SM2 on one thread.
login 33010619871111401X # 陈民政, approver of 西湖区民政局
cat >"$dir/issue.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"type":"结婚证","department":"11330106024903108G","holder":{"code":"330102199203154022","name":"王五"},"face":{"spouse_name":"赵六"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("COOKIE")
wrk.headers["X-CSRF-Token"] = os.getenv("CSRF")
LUA
saved=$conns
conns=16
COOKIE="$cookie" CSRF="$csrf" run "POST /api/v1/certificates" /api/v1/certificates -s "$dir/issue.lua"
row "POST /api/v1/certificates (issue, 16 conns)"
conns=$saved
id=$(curl -sf -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
	-d '{"type":"结婚证","department":"11330106024903108G","holder":{"code":"330102199203154022","name":"王五"},"face":{"spouse_name":"赵六"}}' \
	"$base/api/v1/certificates" | grep -o '"identifier":"[^"]*"' | cut -d'"' -f4)
[ -n "$id" ] || { echo "bench: issuing a certificate failed" >&2; exit 1; }
# Verification by identifier is limited to 60 lookups a minute per
# address (the register must not be walked), so the verification measured
# is the one with the document shown back, which checks the same stored
# signature and also compares the document with the register.
curl -sf -H "Cookie: $cookie" "$base/api/v1/certificates/$id" >"$dir/cert.json" ||
	{ echo "bench: reading the certificate failed" >&2; exit 1; }
cat >"$dir/verify.lua" <<'LUA'
local f = io.open(os.getenv("DOC"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
LUA
DOC="$dir/cert.json" run "POST verify" /api/v1/certificates/verify -s "$dir/verify.lua"
row "POST /api/v1/certificates/verify (document)"
"$bin" bench-sm2 --seconds 2
fi

# Catalog at scale: 3,000 county and 27,000 township departments x 40
# items (1,200,000 items), generated through the catalog's own insert, then
# item GET, and every query of the relevance set (tests/catalog/
# relevance.tsv) at 8 connections, with the set's score (the expected
# service first; in the first three) on the large catalog.
#   catalog_bench LABEL STORE-OPTION...   (--data DIR or --db URL)
catalog_bench() {
local label=$1
shift
stop
gen_start=$(date +%s)
TB_LOG_LEVEL=warn "$bin" bench-catalog --counties "${BENCH_COUNTIES:-3000}" \
	--townships "${BENCH_TOWNSHIPS:-27000}" --items 40 "$@" >"$dir/gen.out"
echo
echo "catalog ($label): $(cat "$dir/gen.out") in $(( $(date +%s) - gen_start )) s"
# PostgreSQL: statistics made and the load flushed before measuring, so
# that autovacuum and a checkpoint after the bulk insert do not run
# during the searches (one run's p99 went from 17 to 96 ms with them).
if [ "$1" = --db ]; then
	psql -X -q "$2" -c "VACUUM ANALYZE" -c "CHECKPOINT"
fi
serve "$@" --bench
code=$(curl -sf "$base/api/v1/items?region=110101&per_page=1" | grep -o '"implementation_code":"[0-9A-Z]*"' | head -1 | cut -d'"' -f4)
[ -n "$code" ] || { echo "bench: no item in the generated catalog" >&2; exit 1; }
items=$(grep -o '[0-9]* items' "$dir/gen.out" | cut -d' ' -f1)
printf '%-44s %12s %10s %10s\n' endpoint "requests/s" "p99 ms" "x trivial"
run trivial /_bench/trivial
trivial=$rps
row "GET /_bench/trivial"
run item "/api/v1/items/$code"
row "GET /api/v1/items/{code} (of $items)"
# Searches at 8 connections: p99 is then the searches' own latency, not
# the queue of 64 connections in front of 2 worker threads.
conns=8
local save_secs=$secs worst=0 worst_q= n=0 first=0 top3=0
secs=${BENCH_QUERY_SECONDS:-2}
while IFS=$'\t' read -r q want also; do
	case $q in '#'*|'') continue ;; esac
	enc=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$q")
	names=$(curl -sf "$base/api/v1/items?per_page=3&q=$enc" |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const i of JSON.parse(s).items)console.log(i.name)})')
	n=$((n + 1))
	[ "$(echo "$names" | head -1)" != "$want" ] || first=$((first + 1))
	! echo "$names" | grep -qxF -- "$want" || top3=$((top3 + 1))
	run "search $q" "/api/v1/items?q=$enc"
	row "search q=$q"
	if awk -v a="$p99" -v b="$worst" 'BEGIN {exit !(a > b)}'; then worst=$p99; worst_q=$q; fi
done <tests/catalog/relevance.tsv
secs=$save_secs
run list "/api/v1/items?region=330106"
row "list region=330106"
echo "relevance ($label, $items items): $n queries, first $first ($(( first * 100 / n ))%), in the first three $top3 ($(( top3 * 100 / n ))%); slowest p99 $worst ms (q=$worst_q)"
conns=${BENCH_CONNS:-64}
}

if want catalog; then
mkdir -p "$dir/catalog"
catalog_bench SQLite --data "$dir/catalog"
fi
if want catalog-pg; then
pg_out=$(./scripts/pg-temp.sh start)
pg_dir=${pg_out%% *}
catalog_bench PostgreSQL --db "${pg_out#* }"
stop
./scripts/pg-temp.sh stop "$pg_dir"
pg_dir=
fi

# PostgreSQL at ten times the data (issue #17; make bench-pg, only when
# named): one throwaway server that flushes its commits (fsync on), with
# pgbench's simple-update measured on it first, then 1,200,000 catalog
# items and 10,000,000 cases generated into it, and tongban on it:
# durable submissions at 16 and 64 connections beside pgbench at the same
# connections, the department queue, catalog searches and the indicators.
if [[ $sections == *" pg "* ]]; then
stop
pg_out=$(PG_TEMP_DURABLE=1 PG_TEMP_OPTS="-c shared_buffers=2GB -c max_wal_size=8GB -c checkpoint_timeout=15min" \
	./scripts/pg-temp.sh start)
pg_dir=${pg_out%% *}
pg_url=${pg_out#* }
pgb_url=${pg_url%/*}/pgbench
psql -X -q "$pg_url" -c "CREATE DATABASE pgbench" -c "CREATE DATABASE tongban"
tb_url=${pg_url%/*}/tongban
pgbench -i -q -s "${BENCH_PGBENCH_SCALE:-50}" "$pgb_url" >"$dir/pgbench-init.log" 2>&1
declare -A pgb
for c in 16 64; do
	pgb[$c]=$(pgbench -n -N -c "$c" -j 2 -T "${BENCH_PG_SECONDS:-20}" "$pgb_url" 2>/dev/null |
		awk '/^tps = / {printf "%.0f", $3}')
done
echo
echo "pgbench simple-update (-N, scale ${BENCH_PGBENCH_SCALE:-50}, ${BENCH_PG_SECONDS:-20} s): ${pgb[16]} tps at 16 clients, ${pgb[64]} tps at 64"
# BENCH_PG_CATALOG=0 leaves the catalog out (20 minutes of generating):
# a second run of the cases' figures alone.
if [ "${BENCH_PG_CATALOG:-1}" != 0 ]; then
	BENCH_QUERY_SECONDS=${BENCH_QUERY_SECONDS:-2} catalog_bench PostgreSQL --db "$tb_url"
fi
stop
gen_start=$(date +%s)
TB_LOG_LEVEL=warn "$bin" bench-cases --drafts 150000 --cases "${BENCH_PG_CASES:-10000000}" \
	--db "$tb_url" --data "$dir/pgcases" >"$dir/drafts" 2>"$dir/gen4.out"
echo
echo "cases (PostgreSQL): $(tail -1 "$dir/gen4.out") in $(( $(date +%s) - gen_start )) s"
psql -X -q "$tb_url" -c "VACUUM ANALYZE"
echo "database: $(psql -X -At "$tb_url" -c "SELECT pg_size_pretty(pg_database_size('tongban'))")"
serve --db "$tb_url" --data "$dir/pgcases" --threads 32
printf '%-52s %12s %10s\n' endpoint "requests/s" "p99 ms"
login 330106198707072021 # 赵审核, reviewer of 西湖区市场监督管理局
# The queue at 4 connections (a request's own latency: each costs some
# milliseconds of CPU, so at 16 on two cores p99 is mostly waiting) and 16.
q="/api/v1/cases?view=queue&limit=200"
for c in 4 16; do
conns=$c
while read -r path name; do
	curl -sf -o /dev/null -H "Cookie: $cookie" "$base$path" ||
		{ echo "bench: $path does not answer 200" >&2; exit 1; }
	run "$name" "$path" -H "Cookie: $cookie"
	printf '%-52s %12.0f %10.2f\n' "$name ($c c.)" "$rps" "$p99"
done <<LIST
$q queue, 200 most urgent
$q&state=submitted queue state=submitted
$q&mine=true queue mine=true
LIST
done
conns=16
year_ago=$(date -d '-365 days' +%F)
for spec in "/api/v1/indicators month" "/api/v1/indicators?from=$year_ago year"; do
	set -- $spec
	run indicators "$1"
	printf '%-52s %12.0f %10.2f\n' "GET /api/v1/indicators (province, $2, 16 c.)" "$rps" "$p99"
done
login 33010619900101123X # 张三, the drafts' applicant
for spec in "16 0" "64 60000"; do
	set -- $spec
	conns=$1
	DRAFTS="$dir/drafts" OFFSET=$2 COOKIE="$cookie" CSRF="$csrf" \
		run submit / -s scripts/bench-submit.lua
	printf '%-52s %12.0f %10.2f\n' "POST /api/v1/cases/{no}/submit, $1 conns" "$rps" "$p99"
	echo "  = $(echo "$rps ${pgb[$1]}" | awk '{printf "%.2f", $1/$2}') of pgbench simple-update at $1 clients (${pgb[$1]} tps)"
done
conns=${BENCH_CONNS:-64}
stop
./scripts/pg-temp.sh stop "$pg_dir"
pg_dir=
fi

# Cases: durable submissions (each a committed transaction with its step,
# audit and outbox rows, acknowledged after the WAL fsync) at 1, 16 and 64
# connections, and a department queue read with 1,000,000 cases stored.
if want queue || want indicators || want submit; then
stop
case_dir="$dir/cases"
mkdir -p "$case_dir"
gen_start=$(date +%s)
TB_LOG_LEVEL=warn "$bin" bench-cases --drafts 120000 --cases 1000000 --data "$case_dir" >"$dir/drafts" 2>"$dir/gen2.out"
echo
echo "cases: $(cat "$dir/gen2.out") in $(( $(date +%s) - gen_start )) s"
serve --data "$case_dir" --threads 32
printf '%-44s %12s %10s\n' endpoint "requests/s" "p99 ms"
fi
if want queue; then
login 330106198707072021 # 赵审核, reviewer of the department
conns=8
run queue /api/v1/cases?limit=50 -H "Cookie: $cookie"
printf '%-44s %12.0f %10.2f\n' "GET /api/v1/cases (queue, 1,000,000 stored)" "$rps" "$p99"
# The calls the workbench queue page (web/workbench/workbench.js) makes
# for 赵审核, whose department (西湖区市场监督管理局) holds a fifteenth
# of the cases, about 33,000 of them open (a quarter his): who am I, the
# items of the filter, the queue (200 rows, most urgent first) unfiltered
# and with each filter, and the department's staff that the case page
# offers to assign to; at 16 connections.
conns=16
dept=$(curl -sf -H "Cookie: $cookie" "$base/api/v1/me" |
	grep -o '"department":{"id":[0-9]*' | head -1 | grep -o '[0-9]*$')
[ -n "$dept" ] || { echo "bench: 赵审核 holds no department" >&2; exit 1; }
q="/api/v1/cases?view=queue&limit=200"
while read -r path name; do
	curl -sf -o /dev/null -H "Cookie: $cookie" "$base$path" ||
		{ echo "bench: $path does not answer 200" >&2; exit 1; }
	run "$name" "$path" -H "Cookie: $cookie"
	printf '%-44s %12.0f %10.2f\n' "$name" "$rps" "$p99"
done <<LIST
/api/v1/me workbench: GET /api/v1/me (16 c.)
/api/v1/items?department=$dept&per_page=100 workbench: items of the department
$q workbench: queue, 200 most urgent
$q&state=submitted workbench: queue state=submitted
$q&item=11330106024892795E4010010201000 workbench: queue item=...
$q&overdue=true workbench: queue overdue=true
$q&mine=true workbench: queue mine=true
/api/v1/departments/$dept/staff case page: department staff
LIST
fi
# The public indicators of the province over the same cases (issue #12:
# p99 under 50 ms at 16 connections): read from the day counters that
# bench-cases rebuilt, for this month and for a year.
if want indicators; then
conns=16
year_ago=$(date -d '-365 days' +%F)
for spec in "/api/v1/indicators month" "/api/v1/indicators?from=$year_ago year"; do
	set -- $spec
	curl -sf -o /dev/null "$base$1" || { echo "bench: $1 does not answer 200" >&2; exit 1; }
	run indicators "$1"
	printf '%-44s %12.0f %10.2f\n' "GET /api/v1/indicators (province, $2, 16 c.)" "$rps" "$p99"
done
fi
if want submit; then
login 33010619900101123X # 张三, the drafts' applicant
# Disjoint ranges of drafts: every request submits a draft no run touched
# (a second submit of the same case is an idempotent no-op, and would
# flatter the figure).
for spec in "1 0" "16 30000" "64 75000"; do
	set -- $spec
	c=$1
	conns=$c
	DRAFTS="$dir/drafts" OFFSET=$2 COOKIE="$cookie" CSRF="$csrf" \
		run submit / -s scripts/bench-submit.lua
	printf '%-44s %12.0f %10.2f\n' "POST /api/v1/cases/{no}/submit, $c conns" "$rps" "$p99"
done
fi

# Data sharing (issue #15): audited verifications, each a data_uses row
# and an audit record made durable before the answer, with 1,000,000
# subjects in the resource queried; 陈民政 (西湖区民政局) checks 张三's
# household registration for his marriage case, at 16 and 64 connections.
if want sharing; then
stop
share_dir="$dir/sharing"
mkdir -p "$share_dir"
gen_start=$(date +%s)
case_no=$(TB_LOG_LEVEL=warn "$bin" bench-sharing --subjects 1000000 --data "$share_dir" 2>"$dir/gen3.out")
echo
echo "sharing: $(cat "$dir/gen3.out") in $(( $(date +%s) - gen_start )) s"
serve --data "$share_dir" --threads 32
login 33010619871111401X # 陈民政, approver of 西湖区民政局
cat >"$dir/verify-share.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"resource":"101001001/000001","subject":"33010619900101123X","assertions":["registered_here"],"purpose":"办理内地居民结婚登记，核验户籍","case_no":"$case_no"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "$cookie"
wrk.headers["X-CSRF-Token"] = "$csrf"
LUA
curl -sf -o /dev/null -X POST -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
	-d "{\"resource\":\"101001001/000001\",\"subject\":\"33010619900101123X\",\"assertions\":[\"registered_here\"],\"purpose\":\"办理内地居民结婚登记，核验户籍\",\"case_no\":\"$case_no\"}" \
	"$base/api/v1/verify" || { echo "bench: POST /api/v1/verify does not answer 200" >&2; exit 1; }
printf '%-44s %12s %10s\n' endpoint "requests/s" "p99 ms"
for c in 16 64; do
	conns=$c
	run verify /api/v1/verify -s "$dir/verify-share.lua"
	printf '%-44s %12.0f %10.2f\n' "POST /api/v1/verify (audited), $c conns" "$rps" "$p99"
done
conns=${BENCH_CONNS:-64}
fi

# Lighthouse (pinned in scripts/lighthouse, installed there with npm ci;
# run.mjs drives Debian's chromium through puppeteer-core, with no
# background networking and no downloads) in its default mobile mode (a
# mid-range phone: 4x slower CPU, simulated slow 4G), performance and
# accessibility only (nothing fetched beyond the page: no SEO robots.txt),
# on the home page, the catalog, a service guide, an apply page, the
# workbench signed in as 赵审核 and 我的办件 signed in as 张三 (a citizen).
# Over the 1,000,000-case store when a cases section ran
# before it (the workbench then lists 200 of a large queue), else over
# the demo data.
if want lighthouse; then
lh=scripts/lighthouse
[ "$lh/node_modules/.package-lock.json" -nt "$lh/package-lock.json" ] ||
	npm ci --prefix "$lh" --silent --no-audit --no-fund --ignore-scripts
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
echo
if [ -n "$pid" ] && [ -n "${case_dir:-}" ]; then
	store="1,000,000 cases"
else
	serve --data "$dir" --demo
	store="demo data"
fi
login 33010619900101123X # 张三, citizen
citizen_cookie=$cookie citizen_csrf=$csrf
login 330106198707072021 # 赵审核, reviewer
echo "Lighthouse $(node -p "require('./$lh/node_modules/lighthouse/package.json').version") mobile," \
	"$("$CHROME_PATH" --version 2>/dev/null), $store"
# The reports are kept in build/lighthouse ($dir goes when the bench ends).
mkdir -p build/lighthouse
TB_COOKIE="$cookie" TB_CSRF="$csrf" TB_COOKIE_CITIZEN="$citizen_cookie" TB_CSRF_CITIZEN="$citizen_csrf" \
	node "$lh/run.mjs" "$base" build/lighthouse / /services.html '/guide.html?item=11330106024892795E4010010201000' \
	'/apply.html?item=1133010002486186853200032801000' signed-in:/workbench/ signed-in=CITIZEN:/my/ 2>>"$dir/lh.log" ||
	{ echo "bench: lighthouse failed" >&2; tail -20 "$dir/lh.log" >&2; exit 1; }
fi
