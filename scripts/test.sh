#!/usr/bin/env bash
# Runs every test of the solution: unit, integration (WireMock as Stripe, a real database, real SMTP) and browser tests,
# once on SQLite and once more on PostgreSQL (the tests that touch the database; tests/Shop.Tests), started with
# scripts/postgres.sh. SHOP_TEST_PROVIDERS="Sqlite" (or "PostgreSql") runs one of them. Other arguments go to dotnet test.
# Installs Debian's Chromium first when it is missing (and SHOP_CHROMIUM names no other), since Playwright cannot
# download a browser here.
set -euo pipefail
cd "$(dirname "$0")/.."

providers=${SHOP_TEST_PROVIDERS:-Sqlite PostgreSql}
# Each test host would otherwise watch its appsettings files and static files (asp-append-version) through inotify:
# hundreds of hosts exhaust the machine's inotify instances (128 per user by default), and the tests never change those
# files. Polling watchers need no inotify instance.
export DOTNET_hostBuilder__reloadConfigOnChange=false DOTNET_USE_POLLING_FILE_WATCHER=1

if [ -z "${SHOP_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Chromium: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

# The benchmark's smoke test (tests/Shop.Tests/Benchmarks) drives the shop with wrk and sends mail to aiosmtpd.
missing=()
command -v wrk >/dev/null || missing+=(wrk)
# The cluster smoke test runs scripts/cluster.sh, which would otherwise install nginx inside the test's time.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || missing+=(python3-aiosmtpd)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stop_postgres=false
if [[ " $providers " == *" PostgreSql "* ]]; then
  scripts/postgres.sh status >/dev/null 2>&1 || stop_postgres=true
  SHOP_TEST_POSTGRES=$(scripts/postgres.sh start)
  export SHOP_TEST_POSTGRES
fi
cleanup() { if $stop_postgres; then scripts/postgres.sh stop || true; fi; }
trap cleanup EXIT

dotnet build Shop.sln -v quiet -nologo

results=$(mktemp -d)
status=0
summary=""
total_passed=0; total_failed=0; total_skipped=0
for provider in $providers; do
  started=$SECONDS
  case "$provider" in
    Sqlite) target=Shop.sln ;;
    PostgreSql) target=tests/Shop.Tests/Shop.Tests.csproj ;;
    *) echo "SHOP_TEST_PROVIDERS: unknown provider $provider (Sqlite or PostgreSql)" >&2; exit 2 ;;
  esac
  echo "== Tests on $provider" >&2
  SHOP_TEST_DATABASE=$provider dotnet test "$target" --no-build --logger "trx" --logger "console;verbosity=minimal" \
    --results-directory "$results/$provider" "$@" || status=$?

  # One plain line per provider over all its test projects, for readers of the log.
  passed=0; failed=0; skipped=0
  for trx in "$results/$provider"/*.trx; do
    [ -e "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
    e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
  done
  summary+="$provider ($((SECONDS - started)) s): $passed passed, $failed failed, $skipped skipped"$'\n'
  total_passed=$((total_passed + passed)); total_failed=$((total_failed + failed)); total_skipped=$((total_skipped + skipped))
done
rm -rf "$results"
printf '%s' "$summary"
# The last line, plain, over both providers: what CI reads.
echo "Total: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$status"
