#!/bin/sh
# Installs the Debian packages tongban builds, runs and tests with.
# Called by make when pkg-config cannot find a library or a tool is missing;
# safe to run again: apt-get skips what is already installed.
set -eu

# clang with libFuzzer's runtime (libclang-rt-14-dev, only recommended by
# Debian 12's clang) builds the fuzz harnesses of tests/fuzz. make
# cluster-test puts haproxy in front of two nodes on PostgreSQL made highly
# available by pg_auto_failover (its extension for Debian 12's PostgreSQL
# 15, and pg_autoctl).
PKGS="build-essential pkg-config clang-format clang libclang-rt-14-dev
libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev
libssl-dev libsodium-dev libcurl4-openssl-dev libqrencode-dev libcmocka-dev
libmagic-dev libyaml-dev zlib1g-dev postgresql postgresql-contrib wrk curl ca-certificates chromium
haproxy postgresql-15-auto-failover pg-auto-failover-cli openssl"

# The build fetches the pages' third-party code (Apache ECharts, pinned in
# web/package-lock.json) with npm ci, and the browser tests run on Node.js
# with npm (playwright-core); Debian's own are used when the machine has none.
command -v node >/dev/null && command -v npm >/dev/null || PKGS="$PKGS nodejs npm"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
