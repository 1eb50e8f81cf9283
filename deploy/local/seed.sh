#!/usr/bin/env bash
# Seeds a small demo network through the public APIs; safe to run again (a second registration answers 409).
set -euo pipefail
partners="${IMSA_PARTNERS_URL:-http://127.0.0.1:5101}"

register() {
  local body="$1" code
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" "$partners/organisations")
  case "$code" in
    201) echo "[seed] registered: $body" ;;
    409) echo "[seed] already there: $body" ;;
    *) echo "[seed] unexpected $code for $body" >&2; return 1 ;;
  esac
}

register '{"name":"Netzwerkstelle IMSA","country":"DE","kind":"coordinator"}'
register '{"name":"Centre Migration et Développement Rabat","country":"MA","kind":"origin-partner"}'
register '{"name":"Pre-Integration Partner Tunis","country":"TN","kind":"transit-partner"}'
register '{"name":"Jugendmigrationsdienst Mainz","country":"DE","kind":"receiving-service"}'
register '{"name":"Migrationsberatung für Erwachsene Mainz","country":"DE","kind":"receiving-service"}'
