#!/usr/bin/env bash
# A local PostgreSQL 15 for Shop, as a plain process (no Docker, no system service).
#   scripts/postgres.sh start    start it (installing Debian's postgresql when missing), create the role and database,
#                                and print the connection string; a server already running is left as it is
#   scripts/postgres.sh stop     stop it (the data stays for the next start)
#   scripts/postgres.sh url      print the connection string
#   scripts/postgres.sh status   say whether it runs
# SHOP_POSTGRES_PORT (default 54329) and SHOP_POSTGRES_DIR (default /tmp/shop-postgres-PORT) choose another server,
# for example a second one that a test may stop and start.
set -euo pipefail

port=${SHOP_POSTGRES_PORT:-54329}
dir=$(realpath -m "${SHOP_POSTGRES_DIR:-/tmp/shop-postgres-$port}")
version=15
bin=/usr/lib/postgresql/$version/bin
role=shop
password=shop
database=shop

url() { echo "Host=127.0.0.1;Port=$port;Username=$role;Password=$password;Database=$database"; }

fail() { echo "postgres.sh: $*" >&2; exit 1; }

# initdb and postgres refuse to run as root: as root the server runs as the postgres user in a folder it owns.
as_owner() {
  # From / : the postgres user may not enter the caller's folder (a mktemp clone is 0700), and pg_ctl says so.
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

install_if_missing() {
  [ -x "$bin/pg_ctl" ] && return
  [ "$(id -u)" -eq 0 ] || fail "PostgreSQL $version is not installed: sudo apt-get install -y postgresql-$version"
  echo "Installing PostgreSQL $version from Debian's packages..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$version" >/dev/null
  [ -x "$bin/pg_ctl" ] || fail "apt-get installed no $bin/pg_ctl"
}

running() { [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

psql_admin() { as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres "$@"; }

start() {
  install_if_missing
  if running; then
    url
    return
  fi

  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    # Local socket connections (this script's) are trusted; TCP ones (the shop's) need the password.
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || fail "initdb failed; see $dir/initdb.log"
  fi

  # max_connections: every test database and every shop instance keeps a pool of its own.
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null; then
    tail -n 20 "$dir/server.log" >&2 || true
    fail "the server did not start on port $port (is the port taken?); its log is $dir/server.log"
  fi

  psql_admin <<SQL
SELECT 'CREATE ROLE $role LOGIN CREATEDB PASSWORD ''$password''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role')\gexec
SELECT 'CREATE DATABASE $database OWNER $role' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$database')\gexec
-- DROP DATABASE ... WITH (FORCE) (the tests' clean-up) must also end an autovacuum worker that is on that database.
SELECT 'GRANT pg_signal_backend TO $role' WHERE NOT pg_has_role('$role', 'pg_signal_backend', 'MEMBER')\gexec
SQL
  url
}

stop() {
  if running; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    echo "stopped PostgreSQL on port $port" >&2
  else
    echo "PostgreSQL on port $port is not running" >&2
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  status) if running; then echo "running on port $port ($dir)"; else echo "not running (port $port, $dir)"; exit 3; fi ;;
  *) echo "usage: scripts/postgres.sh start|stop|url|status" >&2; exit 2 ;;
esac
