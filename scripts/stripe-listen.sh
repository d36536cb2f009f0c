#!/usr/bin/env bash
# Forwards real Stripe test-mode events to the local shop with the official Stripe CLI (run through npx, pinned),
# after storing the CLI's signing secret in the shop's user-secrets so the shop accepts what it forwards.
#
#   scripts/stripe-listen.sh [extra `stripe listen` flags, e.g. --latest, --api-key sk_test_...]
#   scripts/stripe-listen.sh --offline [extra flags]   the same against the local Stripe emulator, with no account
#
# Needs: node/npx, dotnet, and a Stripe account: run `npx --yes @stripe/cli@1.52.0 login` once,
# or pass --api-key sk_test_... (or set STRIPE_API_KEY). --offline needs no account and no network (STRIPE_EMULATOR_URL,
# default http://127.0.0.1:12111: the shop in offline mode, or `dotnet run --project src/Shop.Emulator`).
set -euo pipefail

readonly STRIPE_CLI_VERSION=1.52.0
# Keep in step with StripeEvent.RecommendedTypes (src/Shop.Web/Payments/Events/StripeEvent.cs).
readonly EVENTS=payment_intent.succeeded,payment_intent.processing,payment_intent.payment_failed,payment_intent.canceled,payment_intent.requires_action,payment_intent.amount_capturable_updated,charge.succeeded,charge.captured,charge.refunded,charge.refund.updated,refund.failed,charge.dispute.created,charge.dispute.updated,charge.dispute.closed

die() {
  printf 'stripe-listen: %s\n' "$1" >&2
  exit 1
}

stripe() {
  npx --yes "@stripe/cli@${STRIPE_CLI_VERSION}" "$@"
}

case ${1:-} in
  -h | --help)
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac

offline=false
if [[ ${1:-} == --offline ]]; then
  offline=true
  shift
fi

command -v npx >/dev/null 2>&1 || die "npx not found: install Node.js (Debian: apt-get install -y nodejs npm)"
$offline || command -v dotnet >/dev/null 2>&1 || die "dotnet not found: the secret is stored with 'dotnet user-secrets'"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
forward_to="${SHOP_URL:-http://localhost:5000}"
forward_to="${forward_to%/}/webhooks/stripe"

if $offline; then
  # The emulator answers the CLI's session request itself; any sk_test_ key of 12+ characters passes the CLI's own check.
  # Its signing secret is the emulator's webhook secret, which the shop in offline mode already trusts: nothing to store.
  api_base="${STRIPE_EMULATOR_URL:-http://127.0.0.1:12111}"
  api_base="${api_base%/}"
  host_port="${api_base#http://}"
  host_port="${host_port%%/*}"
  if ! (exec 3<>"/dev/tcp/${host_port%:*}/${host_port##*:}") 2>/dev/null; then
    die "no Stripe emulator at $api_base: start the shop in offline mode (dotnet run --project src/Shop.Web) or the emulator (dotnet run --project src/Shop.Emulator)"
  fi
  printf 'Forwarding %s\n      from the Stripe emulator at %s\n      to %s\n' "$EVENTS" "$api_base" "$forward_to" >&2
  exec npx --yes "@stripe/cli@${STRIPE_CLI_VERSION}" listen --api-key "${STRIPE_EMULATOR_API_KEY:-sk_test_offline_emulator}" \
    --api-base "$api_base" --skip-update --forward-to "$forward_to" --events "$EVENTS" "$@"
fi

# The CLI takes its key from --api-key, STRIPE_API_KEY, or the config that `stripe login` writes.
has_key=false
for arg in "$@"; do
  [[ $arg == --api-key || $arg == --api-key=* ]] && has_key=true
done
[[ -n ${STRIPE_API_KEY:-} ]] && has_key=true
config="${XDG_CONFIG_HOME:-$HOME/.config}/stripe/config.toml"
if [[ -f $config ]] && grep -q 'test_mode_api_key' "$config"; then
  has_key=true
fi
$has_key || die "no Stripe credentials: run 'npx --yes @stripe/cli@${STRIPE_CLI_VERSION} login' once, or pass --api-key sk_test_... (or set STRIPE_API_KEY)"

printf 'Getting the webhook signing secret from the Stripe CLI %s...\n' "$STRIPE_CLI_VERSION" >&2
# --print-secret prints the account's stable whsec_ and exits; the extra flags pick the same account and key.
errors=$(mktemp)
if ! secret=$(stripe listen --print-secret "$@" 2>"$errors"); then
  cat "$errors" >&2
  rm -f "$errors"
  die "'stripe listen --print-secret' failed: if the key expired or is missing, run 'npx --yes @stripe/cli@${STRIPE_CLI_VERSION} login' or pass --api-key"
fi
rm -f "$errors"
# Pick the secret out of the output: the CLI can print notices (such as its update check) on stdout too.
output=$secret
secret=$(printf '%s\n' "$output" | grep -o -m 1 'whsec_[A-Za-z0-9]*' || true)
[[ -n $secret ]] || die "expected a whsec_ secret from the Stripe CLI, got: $output"

dotnet user-secrets set "Stripe:WebhookSecret" "$secret" --project src/Shop.Web >/dev/null ||
  die "could not store the secret with 'dotnet user-secrets set ... --project src/Shop.Web'"
printf 'Stored Stripe:WebhookSecret in the user-secrets of src/Shop.Web (restart a running shop unless it re-reads options).\n' >&2
printf 'Forwarding %s\n      to %s\n' "$EVENTS" "$forward_to" >&2

# stripe listen forwards Stripe's body and signature unchanged. Events come in the account's default API version;
# the shop pins 2026-10-28.endive and rejects other release trains, so pass --latest when the account is older.
exec npx --yes "@stripe/cli@${STRIPE_CLI_VERSION}" listen --forward-to "$forward_to" --events "$EVENTS" "$@"
