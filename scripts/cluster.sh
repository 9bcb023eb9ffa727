#!/usr/bin/env bash
# A highly available tongban on loopback, for make cluster-test (issue 17):
# PostgreSQL with pg_auto_failover (a monitor, a primary and a synchronous
# secondary), two tongban nodes on the multi-host URL the monitor gives,
# and haproxy in front of the nodes, round robin, health-checked on
# GET /healthz. Everything lives in one folder DIR: data, logs, pid files
# and cluster.env (ports and the database URL).
#
#   scripts/cluster.sh test BIN        up in a new temporary folder, run
#                                      tests/cluster/cluster-test.mjs, down
#   scripts/cluster.sh suite BIN [PROGRAM...]  up, the project's test
#                                      programs (or those named) against the
#                                      cluster's database, down
#   scripts/cluster.sh up DIR [BIN]    start everything (DIR new or empty)
#   scripts/cluster.sh down DIR        stop everything started in DIR, remove DIR
#   scripts/cluster.sh state DIR       the monitor's view of the PostgreSQL nodes
#   scripts/cluster.sh primary DIR     the name (pg1 or pg2) of the current primary
#   scripts/cluster.sh kill-node DIR I     kill -9 tongban node I (1 or 2)
#   scripts/cluster.sh start-node DIR I    start tongban node I again
#   scripts/cluster.sh kill-primary DIR    crash the PostgreSQL primary: kill -9
#                                      its pg_autoctl keeper (so that nothing
#                                      restarts it), its postmaster and the
#                                      postmaster's children at once; prints
#                                      "NAME EPOCH_MS" (the moment after the kill)
#
# As root, PostgreSQL and pg_autoctl run as the postgres user (as
# scripts/pg-temp.sh does). pg_autoctl keeps its configuration and state
# under XDG_CONFIG_HOME/XDG_DATA_HOME, pointed into DIR here so that
# nothing outside DIR is written.
#   CLUSTER_DRAFTS   drafts made for the test to submit (default 40000)
#   CLUSTER_KEEP=1   down leaves DIR in place (logs) after stopping everything
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/.."

die() { echo "cluster: $*" >&2; exit 1; }

# The newest PostgreSQL whose pg_auto_failover extension is installed.
pgbin() {
	local v
	# shellcheck disable=SC2012 # version numbers
	for v in $(ls /usr/lib/postgresql 2>/dev/null | sort -rV); do
		if [ -f "/usr/share/postgresql/$v/extension/pgautofailover.control" ]; then
			echo "/usr/lib/postgresql/$v/bin"
			return
		fi
	done
	die "pg_auto_failover is not installed (postgresql-NN-auto-failover, scripts/install-deps.sh)"
}

# as_pg CMD...: runs CMD as the owner of the PostgreSQL data, with
# pg_autoctl's configuration kept in DIR (in a subshell that execs it).
as_pg() {
	(
		set -- env "XDG_CONFIG_HOME=$dir/xdg/config" "XDG_DATA_HOME=$dir/xdg/data" \
			"XDG_RUNTIME_DIR=$dir/xdg/run" "$@"
		if [ "$(id -u)" -eq 0 ]; then
			exec runuser -u postgres -- "$@"
		fi
		exec "$@"
	)
}

# free_ports N: N distinct free loopback ports, below the kernel's range
# of ephemeral ports (a port some outgoing connection holds cannot be
# listened on, and the test makes thousands of them).
free_ports() {
	local n=$1 got=() p low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$low" -gt 12000 ] || low=32768
	for _ in $(seq 1 200); do
		[ ${#got[@]} -lt "$n" ] || break
		p=$(( 10000 + (RANDOM * 7 + $$) % (low - 10000) ))
		[[ " ${got[*]} " == *" $p "* ]] && continue
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
		got+=("$p")
	done
	[ ${#got[@]} -eq "$n" ] || die "no free ports"
	echo "${got[@]}"
}

load_env() {
	[ -f "$dir/cluster.env" ] || die "$dir holds no cluster (no cluster.env)"
	# shellcheck disable=SC1091
	. "$dir/cluster.env"
}

# sql PORT DB QUERY: one query as the superuser, unaligned, no header.
sql() {
	psql -X -q -At -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "$3"
}

# Every node's name:reported/assigned state, as the monitor sees it.
states() {
	sql "$MON_PORT" pg_auto_failover \
		"SELECT string_agg(nodename || ':' || reportedstate || '/' || goalstate, ' ' ORDER BY nodeid)
		 FROM pgautofailover.node" 2>/dev/null || true
}

# state_is PATTERN: the monitor's view, between spaces, matches the
# shell pattern.
# shellcheck disable=SC2053 # a pattern on purpose
state_is() { [[ " $(states) " == $1 ]]; }

# wait_for SECONDS WHAT CMD...: retries CMD every 0.2 s.
wait_for() {
	local secs=$1 what=$2
	shift 2
	local i
	for i in $(seq 1 $(( secs * 5 ))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	die "timed out after ${secs} s waiting for $what"
}

# start_keeper NAME: pg_autoctl run for DIR/NAME in the background, in a
# session of its own (its process group id is its pid, kept in
# DIR/NAME.keeper.pid) so that kill-primary and down reach all of it.
start_keeper() {
	local name=$1
	setsid "$self" _as_pg "$dir" pg_autoctl run --pgdata "$dir/$name" \
		>>"$dir/$name.log" 2>&1 </dev/null &
	echo $! >"$dir/$name.keeper.pid"
}

# start_node I: tongban node I on its port, with its own data folder.
start_node() {
	local i=$1 port
	port=$(eval echo "\$TB${i}_PORT")
	# As deployed (docs/deployment.md): public reads from the standby when
	# one is up, the client address from haproxy's X-Forwarded-For.
	setsid "$BIN" serve --listen "127.0.0.1:$port" --data "$dir/tb$i" --db "$DB_URL" \
		--db-read "${DB_URL/read-write/prefer-standby}" --trusted-proxy 127.0.0.1 \
		--master-key "$dir/master.key" --quiet \
		>>"$dir/tb$i.out" 2>>"$dir/tb$i.err" </dev/null &
	echo $! >"$dir/tb$i.pid"
}

node_up() { curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$1/healthz"; }

# The settings of each PostgreSQL, appended once to its postgresql.conf
# (later lines win over pg_auto_failover's include at the top).
tune() {
	local conf=$1/postgresql.conf
	grep -q '^# cluster.sh' "$conf" && return 0
	cat >>"$conf" <<-EOF
	# cluster.sh: a small test cluster on one machine (pg_auto_failover sizes
	# shared_buffers to a quarter of the machine's memory, for each node)
	shared_buffers = '128MB'
	max_connections = 200
	EOF
}

cmd_up() {
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	chmod 755 "$dir"
	[ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
	local bin pg ports mon_url uri
	bin=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
	[ -x "$bin" ] || die "no tongban binary at $BIN"
	if ! command -v pg_autoctl >/dev/null || ! command -v haproxy >/dev/null; then
		./scripts/install-deps.sh || die "pg_autoctl or haproxy missing (scripts/install-deps.sh failed)"
	fi
	pg=$(pgbin)
	# shellcheck disable=SC2207
	ports=($(free_ports 6))
	cat >"$dir/cluster.env" <<-EOF
	BIN='$bin'
	PG_BIN='$pg'
	MON_PORT=${ports[0]}
	PG1_PORT=${ports[1]}
	PG2_PORT=${ports[2]}
	TB1_PORT=${ports[3]}
	TB2_PORT=${ports[4]}
	LB_PORT=${ports[5]}
	EOF
	load_env
	# From here on a failure stops whatever was started (the logs stay).
	trap 'if [ $? -ne 0 ]; then echo "cluster: up failed; logs in $dir" >&2; CLUSTER_KEEP=1 cmd_down; fi' EXIT
	trap 'exit 130' INT TERM

	# The monitor. Its failure detection is shortened from the defaults so
	# that a lost primary is replaced in seconds (pg_autoctl(5)):
	#   health_check_period 1000 ms (5000): each node is checked every second
	#   health_check_timeout 1000 ms (5000): the check's connect timeout
	#   health_check_max_retries 1 (2), health_check_retry_delay 500 ms (2000)
	#   node_considered_unhealthy_timeout 2000 ms (20000): a node is unhealthy
	#     when its checks fail and its keeper has not reported for 2 s
	#   primary_demote_timeout 3000 ms (30000): how long the monitor waits for
	#     a lost primary to demote itself before promoting the secondary (the
	#     guard against two primaries; ours is dead)
	#   startup_grace_period 1000 ms (10000)
	as_pg pg_autoctl create monitor --pgdata "$dir/monitor" --pgport "$MON_PORT" \
		--pgctl "$PG_BIN/pg_ctl" --hostname 127.0.0.1 --auth trust --no-ssl \
		>>"$dir/monitor.log" 2>&1 || die "pg_autoctl create monitor failed (see $dir/monitor.log)"
	as_pg pg_autoctl config set --pgdata "$dir/monitor" postgresql.listen_addresses 127.0.0.1 \
		>/dev/null 2>>"$dir/monitor.log"
	tune "$dir/monitor"
	cat >>"$dir/monitor/postgresql.conf" <<-'EOF'
	pgautofailover.health_check_period = 1000
	pgautofailover.health_check_timeout = 1000
	pgautofailover.health_check_max_retries = 1
	pgautofailover.health_check_retry_delay = 500
	pgautofailover.node_considered_unhealthy_timeout = 2000
	pgautofailover.primary_demote_timeout = 3000
	pgautofailover.startup_grace_period = 1000
	EOF
	start_keeper monitor
	wait_for 30 "the monitor" sql "$MON_PORT" pg_auto_failover "SELECT 1"
	mon_url="postgres://autoctl_node@127.0.0.1:$MON_PORT/pg_auto_failover?sslmode=disable"

	# The primary (the first node registered), then the database's owner.
	# pg_autoctl create postgres initialises the node (the secondary by
	# pg_basebackup from the primary) and registers it; run serves it.
	local i
	for i in 1 2; do
		as_pg pg_autoctl create postgres --pgdata "$dir/pg$i" --pgport "$(eval echo "\$PG${i}_PORT")" \
			--pgctl "$PG_BIN/pg_ctl" --hostname 127.0.0.1 --listen 127.0.0.1 --name "pg$i" \
			--dbname tongban --monitor "$mon_url" --auth trust --no-ssl \
			>>"$dir/pg$i.log" 2>&1 || die "pg_autoctl create postgres pg$i failed (see $dir/pg$i.log)"
		tune "$dir/pg$i"
		start_keeper "pg$i"
		if [ "$i" -eq 1 ]; then
			wait_for 60 "pg1 to serve alone" state_is '* pg1:single/single *'
			wait_for 60 "pg1 to accept connections" sql "$PG1_PORT" tongban "SELECT 1"
			sql "$PG1_PORT" tongban "CREATE ROLE tongban LOGIN; ALTER DATABASE tongban OWNER TO tongban" >/dev/null
		fi
	done
	wait_for 90 "a primary and a synchronous secondary" \
		state_is ' pg1:primary/primary pg2:secondary/secondary '
	# postgres://127.0.0.1:P1,127.0.0.1:P2/tongban?target_session_attrs=read-write&sslmode=prefer
	uri=$(as_pg pg_autoctl show uri --formation default --pgdata "$dir/monitor" 2>>"$dir/monitor.log")
	[[ $uri == postgres://* ]] || die "pg_autoctl show uri gave '$uri'"
	echo "DB_URL='postgres://tongban@${uri#postgres://}'" >>"$dir/cluster.env"
	load_env

	# Demo data and the drafts to submit, once, before either node starts
	# (bench-cases loads the demo and writes the drafts straight with SQL,
	# as make bench does; test mode only for cheaper demo password hashes).
	# Every signing key is sealed in the database with the operator's
	# master key, so each node has a data folder of its own.
	mkdir -p "$dir/tb1" "$dir/tb2" "$dir/seed"
	(umask 077 && openssl rand -hex 32 >"$dir/master.key")
	TB_TEST_MODE=1 TB_PWHASH_MEM_KIB=1024 TB_PWHASH_OPS=1 TB_LOG_LEVEL=warn \
		"$BIN" bench-cases --drafts "${CLUSTER_DRAFTS:-40000}" --cases 0 --db "$DB_URL" \
		--data "$dir/seed" --master-key "$dir/master.key" >"$dir/drafts" 2>>"$dir/seed.log" ||
		die "seeding failed (see $dir/seed.log)"
	"$BIN" audit checkpoint --db "$DB_URL" --data "$dir/seed" --master-key "$dir/master.key" \
		>>"$dir/seed.log" 2>&1 || die "audit checkpoint failed (see $dir/seed.log)"
	start_node 1
	start_node 2
	wait_for 30 "tongban node 1" node_up "$TB1_PORT"
	wait_for 30 "tongban node 2" node_up "$TB2_PORT"

	# haproxy: round robin over the two nodes, each checked with GET /healthz
	# every 500 ms, down after 2 failed checks, up again after 2 good ones.
	# A request that could not connect is retried on the other node
	# (redispatch); one that reached a node is never sent again when it is
	# a POST (disable-l7-retry: a submission may have been made).
	# X-Tongban-Node names the node that answered (for the test's report);
	# haproxy.log has the requests that went wrong (dontlog-normal).
	# When no node is ready, haproxy's own 503 is JSON like the nodes'.
	printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nRetry-After: 2\r\nConnection: close\r\n\r\n%s\n' \
		'{"error":"service unavailable","field":"node","reason":"no node of the platform is ready: try again shortly"}' \
		>"$dir/503.json.http"
	cat >"$dir/haproxy.cfg" <<-EOF
	global
	    maxconn 1000
	    stats socket $dir/haproxy.sock mode 600 level admin
	    log stderr format raw local0 info
	defaults
	    mode http
	    log global
	    option httplog
	    option dontlog-normal
	    timeout connect 1s
	    timeout client 30s
	    timeout server 15s
	    retries 2
	    option redispatch 1
	    retry-on conn-failure empty-response response-timeout
	    errorfile 503 $dir/503.json.http
	frontend tongban
	    bind 127.0.0.1:$LB_PORT
	    option forwardfor
	    default_backend nodes
	backend nodes
	    balance roundrobin
	    http-request disable-l7-retry if METH_POST
	    http-response set-header X-Tongban-Node %s
	    option httpchk GET /healthz
	    http-check expect status 200
	    default-server inter 500ms fall 2 rise 2
	    server tb1 127.0.0.1:$TB1_PORT check
	    server tb2 127.0.0.1:$TB2_PORT check
	EOF
	haproxy -c -q -f "$dir/haproxy.cfg" >>"$dir/haproxy.log" 2>&1 || die "bad haproxy.cfg (see $dir/haproxy.log)"
	setsid haproxy -db -f "$dir/haproxy.cfg" >>"$dir/haproxy.log" 2>&1 </dev/null &
	echo $! >"$dir/haproxy.pid"
	wait_for 15 "haproxy" node_up "$LB_PORT"
	trap - EXIT INT TERM
	echo "cluster: up in $dir: haproxy http://127.0.0.1:$LB_PORT, nodes :$TB1_PORT :$TB2_PORT, $DB_URL"
}

# pids_of_group PGID: the processes of a process group.
pids_of_group() { ps -e -o pid=,pgid= | awk -v g="$1" '$2 == g {print $1}'; }

# A postmaster's pid from its data folder, when it is alive (and still
# that postmaster: the file stays behind a kill -9).
postmaster_of() {
	local p
	p=$(head -1 "$1/postmaster.pid" 2>/dev/null) || return 1
	[ -n "$p" ] && { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -qF -- "-D $1 " && echo "$p"
}

cmd_down() {
	[ -d "$dir" ] || return 0
	local f p name i
	for f in "$dir/haproxy.pid" "$dir/tb1.pid" "$dir/tb2.pid"; do
		[ ! -f "$f" ] || kill -TERM "$(cat "$f")" 2>/dev/null || true
	done
	# pg_autoctl stops its Postgres (fast) on SIGTERM.
	for name in pg2 pg1 monitor; do
		f=$dir/$name.keeper.pid
		[ ! -f "$f" ] || kill -TERM -- "-$(cat "$f")" 2>/dev/null || true
	done
	for i in $(seq 1 50); do
		p=
		for f in "$dir"/*.pid; do
			[ -f "$f" ] || continue
			case $f in
			*.keeper.pid) [ -z "$(pids_of_group "$(cat "$f")")" ] || p=1 ;;
			*) ! kill -0 "$(cat "$f")" 2>/dev/null || p=1 ;;
			esac
		done
		for name in monitor pg1 pg2; do
			! postmaster_of "$dir/$name" >/dev/null || p=1
		done
		[ -n "$p" ] || break
		sleep 0.2
	done
	# Whatever did not stop in 10 s, with kill -9.
	for f in "$dir"/*.pid; do
		[ -f "$f" ] || continue
		case $f in
		*.keeper.pid) kill -KILL -- "-$(cat "$f")" 2>/dev/null || true ;;
		*) kill -KILL "$(cat "$f")" 2>/dev/null || true ;;
		esac
	done
	for name in monitor pg1 pg2; do
		p=$(postmaster_of "$dir/$name") || continue
		# shellcheck disable=SC2046
		kill -KILL "$p" $(ps -o pid= --ppid "$p") 2>/dev/null || true
	done
	if [ "${CLUSTER_KEEP:-}" = 1 ]; then
		[ -n "${quiet_down:-}" ] || echo "cluster: stopped; logs kept in $dir" >&2
	else
		rm -rf "$dir"
	fi
}

# The node the monitor has assigned the primary's part (a lost primary
# still reports primary until it comes back).
cmd_primary() {
	local s e
	s=$(states)
	for e in $s; do
		case ${e##*/} in
		primary | wait_primary | single)
			echo "${e%%:*}"
			return 0
			;;
		esac
	done
	die "no primary: $s"
}

cmd_kill_primary() {
	local name pm g victims
	name=$(cmd_primary)
	pm=$(postmaster_of "$dir/$name") || die "$name's postmaster is not running"
	g=$(cat "$dir/$name.keeper.pid")
	# The keeper's whole session (pg_autoctl and its services; the
	# postmaster too), and the postmaster's children, which lead sessions
	# of their own: all at once, as when the machine dies.
	# shellcheck disable=SC2207
	victims=($(pids_of_group "$g") "$pm" $(ps -o pid= --ppid "$pm"))
	kill -KILL "${victims[@]}" 2>/dev/null || true
	# The moment after the kill: a request begun just before it may still
	# have committed (one run measured a failover of 0.0 s that way).
	echo "$name $(date +%s%3N)"
}

cmd_test() {
	local rc start
	start=$(date +%s)
	dir=$(mktemp -d /tmp/tongban-cluster.XXXXXX)
	# Nothing stays running, whatever happens; the folder (logs) is kept
	# when the test failed.
	trap 'cmd_down' EXIT
	# up in a process of its own (its errexit and its own cleanup hold), in
	# the background so that an INT or TERM here is handled at once (bash
	# runs traps only between foreground commands); so is the driver.
	"$self" up "$dir" "$BIN" &
	local child=$!
	trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 130' INT TERM
	wait "$child" || { CLUSTER_KEEP=1 quiet_down=1; exit 1; }
	echo "cluster: up in $(( $(date +%s) - start )) s"
	timeout 270 node tests/cluster/cluster-test.mjs "$dir" &
	child=$!
	rc=0
	wait "$child" || rc=$?
	# The driver's last line stays the last line (it names the folder kept).
	[ "$rc" -eq 0 ] || { CLUSTER_KEEP=1; quiet_down=1; }
	[ "$rc" -ne 124 ] || echo "cluster-test: timed out; logs kept in $dir" >&2
	exit "$rc"
}

# The project's test programs (plain build) against the cluster's
# database instead of a single PostgreSQL: their PostgreSQL groups make
# their databases on the primary through the multi-host URL.
cmd_suite() {
	local rc=0 primary port
	dir=$(mktemp -d /tmp/tongban-cluster.XXXXXX)
	trap 'cmd_down' EXIT
	CLUSTER_DRAFTS=0 "$self" up "$dir" "$BIN" || { CLUSTER_KEEP=1; exit 1; }
	load_env
	primary=$(cmd_primary)
	port=$(eval echo "\$${primary^^}_PORT")
	# The tests make databases and, for the store-outage test, stop
	# connections to one: as on their own server, a superuser.
	sql "$port" postgres "ALTER ROLE tongban SUPERUSER" >/dev/null
	local list=("${programs[@]}")
	[ ${#list[@]} -gt 0 ] || mapfile -t list < <(find build/tests -type f -name 'test_*' -perm -u+x | sort)
	TB_TEST_PG_URL=$DB_URL ./scripts/test.sh "${list[@]}" || rc=$?
	exit "$rc"
}

case "${1:-}" in
suite)
	BIN=${2:?usage: cluster.sh suite BIN [PROGRAM...]}
	programs=("${@:3}")
	cmd_suite
	;;
_as_pg) # internal: start_keeper's way into as_pg from a new session
	dir=$2
	shift 2
	as_pg "$@"
	;;
test)
	BIN=${2:?usage: cluster.sh test BIN}
	cmd_test
	;;
up)
	dir=${2:?usage: cluster.sh up DIR [BIN]}
	BIN=${3:-build/tongban}
	cmd_up
	;;
down)
	dir=${2:?usage: cluster.sh down DIR}
	cmd_down
	;;
state)
	dir=${2:?usage: cluster.sh state DIR}
	load_env
	states
	;;
primary)
	dir=${2:?usage: cluster.sh primary DIR}
	load_env
	cmd_primary
	;;
kill-node)
	dir=${2:?usage: cluster.sh kill-node DIR I}
	i=${3:?usage: cluster.sh kill-node DIR I}
	load_env
	kill -KILL "$(cat "$dir/tb$i.pid")"
	;;
start-node)
	dir=${2:?usage: cluster.sh start-node DIR I}
	i=${3:?usage: cluster.sh start-node DIR I}
	load_env
	start_node "$i"
	wait_for 30 "tongban node $i" node_up "$(eval echo "\$TB${i}_PORT")"
	;;
kill-primary)
	dir=${2:?usage: cluster.sh kill-primary DIR}
	load_env
	cmd_kill_primary
	;;
*)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
	;;
esac
