#!/usr/bin/env bash
# Shop as a cluster on this machine: PostgreSQL (scripts/postgres.sh), N shop instances (default 3) on ports 5101...,
# and nginx on port 5000 in front, round-robin. Ctrl+C stops all of it (PostgreSQL too, if this script started it).
#   scripts/cluster.sh [instances]
# Offline mode (no Stripe keys in the environment): the Stripe emulator and the dev inbox run once, as their own process;
# every instance points at them, and the emulator's webhooks go through nginx like Stripe's would.
# With real keys (Stripe__SecretKey, Stripe__PublishableKey, Stripe__WebhookSecrets__0 and Smtp__* in the environment)
# the instances use them; forward Stripe's events to http://localhost:5000/webhooks/stripe (scripts/stripe-listen.sh).
# SHOP_CLUSTER_PORT (5000), SHOP_CLUSTER_DIR (/tmp/shop-cluster) and SHOP_CLUSTER_DATABASE (shop) change the defaults;
# SHOP_CLUSTER_INSTANCE_PORT (5101, the first instance's), SHOP_CLUSTER_STRIPE_PORT (12111), SHOP_CLUSTER_SMTP_PORT (2525),
# SHOP_CLUSTER_INBOX_PORT (5080) and postgres.sh's SHOP_POSTGRES_PORT / SHOP_POSTGRES_DIR let it run beside another shop.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

instances=${1:-3}
[[ "$instances" =~ ^[1-9][0-9]?$ ]] || { echo "usage: scripts/cluster.sh [instances, 1 to 99]" >&2; exit 2; }
port=${SHOP_CLUSTER_PORT:-5000}
dir=${SHOP_CLUSTER_DIR:-/tmp/shop-cluster}
database=${SHOP_CLUSTER_DATABASE:-shop}
first_instance_port=${SHOP_CLUSTER_INSTANCE_PORT:-5101}
stripe_port=${SHOP_CLUSTER_STRIPE_PORT:-12111}
smtp_port=${SHOP_CLUSTER_SMTP_PORT:-2525}
inbox_port=${SHOP_CLUSTER_INBOX_PORT:-5080}

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  [ "$(id -u)" -eq 0 ] || { echo "cluster.sh needs nginx: sudo apt-get install -y nginx" >&2; exit 1; }
  echo "Installing nginx from Debian's packages..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)

pids=()
stop_postgres=false
stop_all() {
  trap - INT TERM EXIT
  echo "Stopping the cluster..." >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if $stop_postgres; then scripts/postgres.sh stop || true; fi
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits until a URL answers (any HTTP status), or fails naming the log to read.
wait_for() {
  local url=$1 log=$2
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null --max-time 2 "$url"; then return 0; fi
    sleep 0.5
  done
  echo "cluster.sh: $url did not answer within a minute; see $log" >&2
  tail -n 20 "$log" >&2 || true
  exit 1
}

# A port already taken (another shop, another cluster) would make this cluster talk to someone else's server.
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ports=("$port")
for i in $(seq 1 "$instances"); do ports+=($((first_instance_port + i - 1))); done
[ -z "${Stripe__SecretKey:-}" ] && ports+=("$stripe_port" "$smtp_port" "$inbox_port")
for p in "${ports[@]}"; do
  if in_use "$p"; then echo "cluster.sh: port $p is already in use (by another shop or emulator?); stop that first" >&2; exit 1; fi
done

rm -rf "$dir" && mkdir -p "$dir/nginx-temp" && chmod 777 "$dir/nginx-temp"

scripts/postgres.sh status >/dev/null 2>&1 || stop_postgres=true
server=$(scripts/postgres.sh start)
connection="${server/Database=shop/Database=$database}"
if [ "$database" != shop ]; then
  PGPASSWORD=shop psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${SHOP_POSTGRES_PORT:-54329}" -U shop -d shop >/dev/null <<SQL
SELECT 'CREATE DATABASE $database' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$database')\gexec
SQL
fi

# Built once, started N times: what a deployment does, and N times faster than dotnet run.
echo "Publishing the shop and the emulator (Release)..." >&2
dotnet publish src/Shop.Web -c Release -o "$dir/shop" -v quiet -nologo >"$dir/publish.log" 2>&1 || { cat "$dir/publish.log" >&2; exit 1; }
# Offline mode is a Debug build's: a Release shop that carried the emulator would ship a fake Stripe.
[ ! -e "$dir/shop/Shop.Emulator.dll" ] || { echo "The Release publish of Shop.Web contains Shop.Emulator.dll (see src/Shop.Web/Shop.Web.csproj)" >&2; exit 1; }

settings=(
  "ASPNETCORE_ENVIRONMENT=Production"
  "Database__Provider=PostgreSql"
  "ConnectionStrings__Shop=$connection"
  "Shop__PublicBaseUrl=http://localhost:$port"
  "OfflineMode__Enabled=false"
  # nginx on this machine is the one proxy: its X-Forwarded-For names the real client, for the checkout rate limit.
  "ForwardedHeaders__KnownProxies__0=127.0.0.1"
  # A deployment's settings do not change under it; watching them would cost each instance inotify instances, of
  # which a user has 128 on this kind of machine.
  "DOTNET_hostBuilder__reloadConfigOnChange=false"
)
if [ -z "${Stripe__SecretKey:-}" ]; then
  dotnet publish src/Shop.Emulator -c Release -o "$dir/emulator" -v quiet -nologo >>"$dir/publish.log" 2>&1 || { cat "$dir/publish.log" >&2; exit 1; }
  SHOP_StripeEmulator__Port=$stripe_port \
  SHOP_StripeEmulator__WebhookSecret=whsec_local_emulator \
  SHOP_StripeEmulator__WebhookEndpoints__0="http://127.0.0.1:$port/webhooks/stripe" \
    dotnet "$dir/emulator/Shop.Emulator.dll" --smtp-port "$smtp_port" --inbox-port "$inbox_port" >"$dir/emulator.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$stripe_port/deliveries" "$dir/emulator.log"
  wait_for "http://127.0.0.1:$inbox_port/inbox" "$dir/emulator.log"
  settings+=(
    "Stripe__SecretKey=sk_test_local_emulator"
    "Stripe__PublishableKey=pk_test_local_emulator"
    "Stripe__ApiBase=http://127.0.0.1:$stripe_port"
    "Stripe__JsUrl=http://127.0.0.1:$stripe_port/v3"
    "Stripe__WebhookSecrets__0=whsec_local_emulator"
    "Smtp__Host=127.0.0.1"
    "Smtp__Port=$smtp_port"
    "Smtp__Security=None"
    "Smtp__From__Address=orders@shop.localhost"
  )
fi

echo "Starting the instances..." >&2
servers=""
for i in $(seq 1 "$instances"); do
  instance_port=$((first_instance_port + i - 1))
  # The content root is the published folder (wwwroot), whatever folder this script runs from. Each instance has a
  # HOME of its own, as on machines of their own: nothing in a home folder (such as a key ring) is shared between them.
  mkdir -p "$dir/home-$i"
  (cd "$dir/shop" && exec env "${settings[@]}" HOME="$dir/home-$i" ASPNETCORE_URLS="http://127.0.0.1:$instance_port" dotnet Shop.Web.dll) >"$dir/shop-$i.log" 2>&1 &
  pids+=($!)
  servers+="        server 127.0.0.1:$instance_port;"$'\n'
  if [ "$i" -eq 1 ]; then
    # The first instance migrates the empty database and writes the data-protection key to it before the others start,
    # so they all read that one key instead of each making its own at once (antiforgery tokens from one are valid on the next).
    wait_for "http://127.0.0.1:$instance_port/" "$dir/shop-1.log"
  fi
done
for i in $(seq 1 "$instances"); do
  wait_for "http://127.0.0.1:$((first_instance_port + i - 1))/" "$dir/shop-$i.log"
done

sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" "$repo/scripts/nginx.conf.template" \
  | awk -v servers="$servers" '{ if ($0 == "@SERVERS@") printf "%s", servers; else print }' >"$dir/nginx.conf"
"$nginx" -c "$dir/nginx.conf" -p "$dir" -g "daemon off;" >"$dir/nginx.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$port/" "$dir/nginx.log"

echo "Shop:          http://localhost:$port  (nginx, round-robin over $instances instances on ports $first_instance_port-$((first_instance_port + instances - 1)))"
if [ -z "${Stripe__SecretKey:-}" ]; then
  echo "Dev inbox:     http://127.0.0.1:$inbox_port/inbox  (SMTP 127.0.0.1:$smtp_port)"
  echo "Deliveries:    http://127.0.0.1:$stripe_port/deliveries  (the emulator's webhooks, through nginx)"
fi
echo "Database:      $connection"
echo "Logs:          $dir/*.log"
echo "Ctrl+C stops the cluster."
wait -n "${pids[@]}" || true
echo "cluster.sh: a process of the cluster ended; see $dir/*.log" >&2
