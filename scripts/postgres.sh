#!/usr/bin/env bash
# A local PostgreSQL for Shop, as a plain process (no Docker, no system service).
#   scripts/postgres.sh start    start it (installing Debian's postgresql when none is), create the role and database,
#                                and print the connection string; a server already running is left as it is
#   scripts/postgres.sh stop     stop it (the data stays for the next start)
#   scripts/postgres.sh url      print the connection string
#   scripts/postgres.sh status   say whether it runs
# SHOP_POSTGRES_PORT (default 54329) and SHOP_POSTGRES_DIR (default /tmp/shop-postgres-PORT) choose another server,
# for example a second one that a test may stop and start. The newest installed major version runs (Debian's
# /usr/lib/postgresql/<major>, else pg_ctl on the PATH); SHOP_POSTGRES_VERSION picks another Debian one.
set -euo pipefail

port=${SHOP_POSTGRES_PORT:-54329}
dir=$(realpath -m "${SHOP_POSTGRES_DIR:-/tmp/shop-postgres-$port}")
version=
bin=
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

# Sets version and bin to the server's: the one asked for, the newest of Debian's, or the one on the PATH.
find_server() {
  if [ -n "${SHOP_POSTGRES_VERSION:-}" ]; then
    version=$SHOP_POSTGRES_VERSION
  else
    version=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/pg_ctl' 2>/dev/null | cut -d/ -f5 | sort -n | tail -n 1)
  fi
  if [ -n "$version" ]; then
    bin=/usr/lib/postgresql/$version/bin
  elif command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
    bin=$(dirname "$(command -v pg_ctl)")
    version=$("$bin/pg_ctl" --version | sed -E 's/.* ([0-9]+)[.0-9]*.*/\1/')
  fi
  [ -n "$version" ] && [ -x "$bin/pg_ctl" ]
}

install_if_missing() {
  find_server && return
  local package=postgresql${SHOP_POSTGRES_VERSION:+-$SHOP_POSTGRES_VERSION}
  local missing="no PostgreSQL server found (none in /usr/lib/postgresql, no pg_ctl and initdb on the PATH)"
  [ -n "${SHOP_POSTGRES_VERSION:-}" ] && missing="PostgreSQL $SHOP_POSTGRES_VERSION is not in /usr/lib/postgresql"
  [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null \
    || fail "$missing. Install it, for example: sudo apt-get install -y $package (Debian, Ubuntu), sudo dnf install -y postgresql-server (Fedora), brew install postgresql (macOS)"
  echo "Installing $package from Debian's packages..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  find_server || fail "apt-get installed $package but no /usr/lib/postgresql/*/bin/pg_ctl"
}

# A data folder made by another major version cannot be started by this one.
check_data_version() {
  [ -f "$dir/data/PG_VERSION" ] || return 0
  local made_by
  made_by=$(cat "$dir/data/PG_VERSION")
  [ "$made_by" = "$version" ] \
    || fail "$dir was made by PostgreSQL $made_by and this is $version: remove $dir (its data is lost) or run with SHOP_POSTGRES_VERSION=$made_by"
}

running() { find_server && [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

psql_admin() { as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres "$@"; }

start() {
  install_if_missing
  check_data_version
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
