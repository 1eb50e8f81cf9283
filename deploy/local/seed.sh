#!/usr/bin/env bash
# Seeds a small demo network through the public APIs as the bootstrap coordinator; safe to run again
# (a second registration answers 409). Needs IMSA_COORDINATOR_CLIENT_SECRET (run.sh exports it).
set -euo pipefail
partners="${IMSA_PARTNERS_URL:-http://127.0.0.1:5101}"

token=$(curl -fsS -d grant_type=client_credentials -d client_id=imsa-coordinator \
  --data-urlencode "client_secret=$IMSA_COORDINATOR_CLIENT_SECRET" "$partners/connect/token" \
  | tr -d " \n" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "[seed] could not get a coordinator token" >&2; exit 1; }

register() {
  local body="$1" code
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "$body" "$partners/organisations")
  case "$code" in
    201) echo "[seed] registered: $body" ;;
    409) echo "[seed] already there: $body" ;;
    *) echo "[seed] unexpected $code for $body" >&2; return 1 ;;
  esac
}

register '{"name":"Centre Migration et Développement Rabat","country":"MA","kind":"origin-partner"}'
register '{"name":"Pre-Integration Partner Tunis","country":"TN","kind":"transit-partner"}'
register '{"name":"Jugendmigrationsdienst Mainz","country":"DE","kind":"receiving-service"}'
register '{"name":"Migrationsberatung für Erwachsene Mainz","country":"DE","kind":"receiving-service"}'
