#!/usr/bin/env bash
# Signs a demo person in as an application does (OAuth 2.0 authorization code with PKCE, docs/api.md#people-sign-in)
# and prints their access token: the authorization request, the sign-in pages (password, then the authenticator's
# code), the redirect with the code, the exchange at /connect/token. Use the token in Swagger UI ("bearer").
#   deploy/local/sign-in.sh counsellor         (or organisation-admin, coordinator, or a person's address)
# Each authenticator code works once: a second sign-in of the same person within 30 seconds waits for the next code.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
. "$root/deploy/local/infra.sh"
partners="${IMSA_PARTNERS_URL:-http://127.0.0.1:${IMSA_PORTS[partners]}}"
people="$root/.local/demo-people.tsv"
[ -f "$people" ] || { echo "no demo people yet: deploy/local/run.sh seeds them" >&2; exit 1; }
who="${1:-counsellor}"
IFS=$'\t' read -r role email password key name < <(awk -F'\t' -v who="$who" '$1 == who || $2 == who { print; exit }' "$people") || true
[ -n "${key:-}" ] || { echo "no demo person '$who' in .local/demo-people.tsv" >&2; exit 1; }
secret=$(sed -n 's/^IMSA_SIGN_IN_CLIENT_SECRET=//p' "$root/.local/secrets.env")
imsa_local_placeholders >/dev/null
client="$IMSA_SIGN_IN_CLIENT_ID" redirect="$IMSA_SIGN_IN_REDIRECT_URI"

jar=$(mktemp) && trap 'rm -f "$jar"' EXIT
urlencode() { local s="$1" out="" c i; for ((i = 0; i < ${#s}; i++)); do c="${s:i:1}"; case "$c" in [A-Za-z0-9.~_-]) out+="$c" ;; *) out+=$(printf '%%%02X' "'$c") ;; esac; done; printf '%s' "$out"; }
verifier=$(openssl rand -hex 32)
challenge=$(printf '%s' "$verifier" | openssl dgst -binary -sha256 | openssl base64 -A | tr '+/' '-_' | tr -d '=')
state=$(openssl rand -hex 16)
authorize="/connect/authorize?response_type=code&client_id=$client&redirect_uri=$(urlencode "$redirect")&state=$state&code_challenge=$challenge&code_challenge_method=S256"
echo "[sign-in] the authorization request (open it in a browser to see the pages; the browser ends at the redirect URI, where nothing answers):" >&2
echo "  $partners$authorize" >&2
browse() { curl -sS -b "$jar" -c "$jar" "$@"; }
antiforgery() { sed -n 's/.*name="__RequestVerificationToken" value="\([^"]*\)".*/\1/p' | head -n 1; }

location=$(browse -o /dev/null -w '%{redirect_url}' "$partners$authorize")
form=$(browse "$location" | antiforgery)
location=$(browse -o /dev/null -w '%{redirect_url}' --data-urlencode "__RequestVerificationToken=$form" --data-urlencode "returnUrl=$authorize" \
  --data-urlencode "email=$email" --data-urlencode "password=$password" "$partners/sign-in")
[ -n "$location" ] || { echo "[sign-in] the password was refused (locked out after five wrong attempts: wait 15 minutes)" >&2; exit 1; }
form=$(browse "$location" | antiforgery)
# The code of the next 30-second step: accepted at once, and not the one the last sign-in may have used.
code=$(oathtool --totp -b -N "@$(($(date +%s) + 30))" "$key")
location=$(browse -o /dev/null -w '%{redirect_url}' --data-urlencode "__RequestVerificationToken=$form" --data-urlencode "returnUrl=$authorize" \
  --data-urlencode "code=$code" "$partners/sign-in/code")
[ -n "$location" ] || { echo "[sign-in] the authenticator code was refused (each works once: try again in 30 seconds)" >&2; exit 1; }
location=$(browse -o /dev/null -w '%{redirect_url}' "$location")
case "$location" in "$redirect?"*) ;; *) echo "[sign-in] no code came back: $location" >&2; exit 1 ;; esac
[ "$(printf '%s' "$location" | sed -n 's/.*[?&]state=\([^&]*\).*/\1/p')" = "$state" ] || { echo "[sign-in] the state does not match" >&2; exit 1; }
authorization_code=$(printf '%s' "$location" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
curl -fsS -d grant_type=authorization_code --data-urlencode "code=$authorization_code" --data-urlencode "redirect_uri=$redirect" \
  --data-urlencode "code_verifier=$verifier" -d "client_id=$client" --data-urlencode "client_secret=$secret" "$partners/connect/token" |
  tr -d '\n' | sed -n 's/.*"access_token": *"\([^"]*\)".*/\1/p'
echo
echo "[sign-in] $name ($role, $email): the line above is their access token for 10 minutes" >&2
