#!/usr/bin/env bash
# Benchmarks webhook ingest, checkout, email drain, start-up and memory against baselines, on this machine, in Release.
# Prints the table and writes it into docs/benchmarks.md (between its result markers). Takes about 12 minutes on 2 cores.
#   scripts/bench.sh                   SQLite and PostgreSQL scenarios
#   scripts/bench.sh --only postgres   only the PostgreSQL ones
#   scripts/bench.sh --only pgemail    only PostgreSQL's email drains (one and three instances)
#   scripts/bench.sh --only ingest     one SQLite group: sqlite (all of them), start, ingest, checkout or email
#   scripts/bench.sh --smoke           every group for a second or two, each in its own process (proves they run)
# PostgreSQL: a server of its own from scripts/postgres.sh (SHOP_POSTGRES_PORT, default here 54339), stopped at the end
# unless it was already running; the benchmark drops and creates the database shop_bench on it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: wrk drives the load, aiosmtpd is the SMTP server the email scenario sends to.
missing=()
command -v wrk >/dev/null || missing+=(wrk)
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || missing+=(python3-aiosmtpd)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}..."
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y "${missing[@]}" >/dev/null; else sudo apt-get install -y "${missing[@]}" >/dev/null; fi
fi

# The shop runs as it would be deployed: published in Release with ReadyToRun code, so start-up is not spent in the JIT.
shop=artifacts/bench/shop
dotnet publish src/Shop.Web -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$shop" -nologo -clp:ErrorsOnly
dotnet build tests/Shop.Benchmarks -c Release -nologo -clp:ErrorsOnly

export SHOP_POSTGRES_PORT=${SHOP_POSTGRES_PORT:-54339}
started_postgres=false
if ! scripts/postgres.sh status >/dev/null 2>&1; then started_postgres=true; fi
postgres_url=$(scripts/postgres.sh start)
stop_postgres() { if $started_postgres; then scripts/postgres.sh stop; fi; }
trap stop_postgres EXIT
dotnet tests/Shop.Benchmarks/bin/Release/net10.0/Shop.Benchmarks.dll "$PWD" "$PWD/$shop" --postgres "$postgres_url" "$@"
