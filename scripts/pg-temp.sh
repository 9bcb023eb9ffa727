#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster for the tests: initdb in a
# temporary folder, a free loopback port, trust authentication, owned by
# the postgres user when we run as root (PostgreSQL refuses to run as root).
#   scripts/pg-temp.sh start   prints the folder and the URL: DIR URL
#   scripts/pg-temp.sh stop DIR
# PG_TEMP_DURABLE=1 keeps fsync and full page writes on (benchmarks);
# PG_TEMP_OPTS adds server settings ("-c shared_buffers=1GB").
set -euo pipefail

bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -x "$d/initdb" ] || { echo "pg-temp: PostgreSQL server binaries not found" >&2; exit 1; }
	echo "$d"
}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$(( 20000 + (RANDOM * 7 + $$) % 40000 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "pg-temp: no free port found" >&2
	exit 1
}

case "${1:-}" in
start)
	bin=$(bindir)
	dir=$(mktemp -d /tmp/tongban-pg.XXXXXX)
	chmod 755 "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	as_owner "$bin/initdb" -D "$dir/data" -U tongban --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	# Tests need no durability; make bench-pg (PG_TEMP_DURABLE=1) measures
	# commits that are flushed, as a real server makes them.
	durability="-c fsync=off -c full_page_writes=off"
	[ "${PG_TEMP_DURABLE:-}" = 1 ] && durability=""
	for attempt in 1 2 3; do
		port=$(free_port)
		if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $dir $durability -c max_connections=200 ${PG_TEMP_OPTS:-}" \
			start >/dev/null 2>&1; then
			echo "$dir postgres://tongban@127.0.0.1:$port/postgres"
			exit 0
		fi
	done
	cat "$dir/server.log" >&2 || true
	exit 1
	;;
stop)
	dir=${2:?usage: pg-temp.sh stop DIR}
	bin=$(bindir)
	as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*)
	echo "usage: pg-temp.sh start | stop DIR" >&2
	exit 2
	;;
esac
