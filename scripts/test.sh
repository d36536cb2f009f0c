#!/usr/bin/env bash
# Runs every test of the solution: unit, integration (WireMock as Stripe, real SQLite, real SMTP) and browser tests.
# Installs Debian's Chromium first when it is missing, since Playwright cannot download a browser here.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Chromium: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

results=$(mktemp -d)
status=0
dotnet test Shop.sln --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || status=$?

# One plain closing line over all test projects, for readers of the log.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
done
rm -rf "$results"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
