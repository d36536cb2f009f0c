#!/usr/bin/env bash
# Benchmarks webhook ingest, checkout, email drain, start-up and memory against baselines, on this machine, in Release.
# Prints the table and writes it into docs/benchmarks.md (between its result markers). Takes about 3 minutes on 2 cores.
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
exec dotnet tests/Shop.Benchmarks/bin/Release/net10.0/Shop.Benchmarks.dll "$PWD" "$PWD/$shop"
