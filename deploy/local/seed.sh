#!/usr/bin/env bash
# Seeds a small demo network through the public APIs as the bootstrap coordinator: partners abroad and two
# receiving services in Mainz, verified, each with an API client it made itself from the invitation mailed to it
# (.local/mail; credentials in .local/demo-clients.env) and,
# for the receiving services, a directory profile; and one person per role, enrolled with a password and an
# authenticator (.local/demo-people.tsv; deploy/local/totp.sh prints a code, deploy/local/sign-in.sh signs in).
# Safe to run again: what exists is left as it is.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
partners="${IMSA_PARTNERS_URL:-http://127.0.0.1:5101}"
clients_file="$root/.local/demo-clients.env"
people_file="$root/.local/demo-people.tsv"
: "${IMSA_COORDINATOR_CLIENT_SECRET:=$(sed -n 's/^IMSA_COORDINATOR_CLIENT_SECRET=//p' "$root/.local/secrets.env" 2>/dev/null)}"

IMSA_ROOT_DIR="$root"
. "$root/deploy/local/onboard.sh"

json_field() { tr -d '\n' | sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p"; }

token=$(curl -fsS -d grant_type=client_credentials -d client_id=imsa-coordinator \
  --data-urlencode "client_secret=$IMSA_COORDINATOR_CLIENT_SECRET" "$partners/connect/token" | json_field access_token)
[ -n "$token" ] || { echo "[seed] could not get a coordinator token" >&2; exit 1; }

call() { # method path [body] [token]; every write with an Idempotency-Key of its own
  curl -sS -X "$1" -H "Authorization: Bearer ${4:-$token}" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" ${3:+-d "$3"} -w '\n%{http_code}' "$partners$2"
}

# register NAME COUNTRY KIND EMAIL [PROFILE_JSON]: registered and verified by the coordinator; its first API client
# made by the organisation itself from the invitation mailed to EMAIL (deploy/local/onboard.sh).
register() {
  local name="$1" country="$2" kind="$3" email="$4" profile="${5:-}" out code id credentials client secret own
  out=$(call POST /organisations "{\"name\":\"$name\",\"country\":\"$country\",\"kind\":\"$kind\",\"contactEmail\":\"$email\"}")
  code=${out##*$'\n'}
  if [ "$code" = 409 ]; then
    echo "[seed] already there: $name"
    # Its id and client from the first run, so its people can still be enrolled. (Not when another checkout on this
    # machine seeded the shared databases: its .local holds them.)
    id="" credentials=""
    if [ -f "$clients_file" ]; then
      id=$(sed -n "s/^# $name ([a-z-]*, \([0-9a-f-]*\))$/\1/p" "$clients_file" | tail -n 1)
      credentials=$(grep -A1 -F "# $name (" "$clients_file" | tail -n 1 || true)
    fi
    if [ -z "$id" ] || [ -z "$credentials" ]; then
      echo "[seed]   its API client is not in ${clients_file#"$root/"}: another checkout on this machine seeded it; its .local/demo-people.tsv signs its people in" >&2
    fi
    if [ -n "$id" ] && [ -n "$credentials" ]; then
      registered_token=$(curl -fsS -d grant_type=client_credentials -d "client_id=${credentials%%=*}" \
        --data-urlencode "client_secret=${credentials#*=}" "$partners/connect/token" 2>/dev/null | json_field access_token || true)
      if [ -n "$registered_token" ]; then
        registered_id="$id"
      else
        echo "[seed]   its API client in ${clients_file#"$root/"} is refused (revoked, or the databases were seeded anew by another checkout): its people are left as they are" >&2
      fi
    fi
    return 0
  fi
  [ "$code" = 201 ] || { echo "[seed] unexpected $code registering $name" >&2; return 1; }
  id=$(printf '%s' "${out%$'\n'*}" | json_field id)
  credentials=$(imsa_onboard "$partners" "$token" "$id" "$email" "demo client")
  client="${credentials%%=*}" secret="${credentials#*=}"
  call POST "/organisations/$id/verify" >/dev/null
  (umask 077 && echo "# $name ($kind, $id)" >>"$clients_file" && echo "$client=$secret" >>"$clients_file")
  own=$(curl -fsS -d grant_type=client_credentials -d "client_id=$client" --data-urlencode "client_secret=$secret" \
    "$partners/connect/token" | json_field access_token)
  registered_id="$id" registered_token="$own"
  if [ -n "$profile" ]; then
    out=$(call PUT "/organisations/$id/profile" "$profile" "$own")
    [ "${out##*$'\n'}" = 200 ] || { echo "[seed] profile of $name refused: ${out%$'\n'*}" >&2; return 1; }
  fi
  echo "[seed] registered and verified: $name ($kind)"
}

# enrol ORGANISATION_ID TOKEN ROLE EMAIL NAME: the organisation (TOKEN) invites the person; they enrol as a person
# would, with a password and an authenticator whose codes oathtool computes; written to .local/demo-people.tsv.
enrol() {
  local id="$1" own="$2" role="$3" email="$4" name="$5" out code password key
  if grep -q -F "$(printf '\t%s\t' "$email")" "$people_file" 2>/dev/null; then return 0; fi
  out=$(call POST "/organisations/$id/people/invitations" "{\"email\":\"$email\",\"role\":\"$role\"}" "$own")
  if [ "${out##*$'\n'}" = 409 ] && [[ "$out" == *"has an account already"* ]]; then
    echo "[seed] already enrolled: $email (by another checkout on this machine: its .local/demo-people.tsv has the password)" >&2
    return 0
  fi
  [ "${out##*$'\n'}" = 201 ] || { echo "[seed] invitation of $email refused: ${out%$'\n'*}" >&2; return 1; }
  code=$(imsa_invitation_code "$email")
  password="demo-$(openssl rand -hex 12)"
  out=$(curl -sS -H 'Content-Type: application/json' -w '\n%{http_code}' "$partners/people/enrolment" \
    -d "{\"code\":\"$code\",\"displayName\":\"$name\",\"password\":\"$password\"}")
  [ "${out##*$'\n'}" = 200 ] || { echo "[seed] enrolment of $email refused: ${out%$'\n'*}" >&2; return 1; }
  key=$(printf '%s' "${out%$'\n'*}" | json_field authenticatorKey)
  out=$(curl -sS -H 'Content-Type: application/json' -w '\n%{http_code}' "$partners/people/enrolment/confirm" \
    -d "{\"code\":\"$code\",\"totp\":\"$(oathtool --totp -b "$key")\"}")
  [ "${out##*$'\n'}" = 200 ] || { echo "[seed] confirmation of $email refused: ${out%$'\n'*}" >&2; return 1; }
  (umask 077 && printf '%s\t%s\t%s\t%s\t%s\n' "$role" "$email" "$password" "$key" "$name" >>"$people_file")
  echo "[seed] enrolled $role $email"
}

registered_id="" registered_token=""
register "Centre Migration et Développement Rabat" MA origin-partner it@cmd-rabat.example.org
if [ -n "$registered_id" ]; then
  enrol "$registered_id" "$registered_token" organisation-admin it@cmd-rabat.example.org "Karim Alaoui"
  enrol "$registered_id" "$registered_token" counsellor amal.haddad@cmd-rabat.example.org "Amal Haddad"
fi
register "Pre-Integration Partner Tunis" TN transit-partner it@pip-tunis.example.org
registered_id="" registered_token=""
register "Jugendmigrationsdienst Mainz" DE receiving-service it@jmd-mainz.example.org \
  '{"languages":["de","ar","fr"],"topics":["EDU","LANG","REC","WORK","FAMK"],"receiving":{"serviceTypes":["JMD"],"area":{"districts":["07315"]},"eligibility":{"minAge":12,"maxAge":26},"capacity":{"accepting":true,"maxOpenHandovers":20}}}'
if [ -n "$registered_id" ]; then
  enrol "$registered_id" "$registered_token" counsellor lena.wagner@jmd-mainz.example.org "Lena Wagner"
fi
register "Migrationsberatung für Erwachsene Mainz" DE receiving-service it@mbe-mainz.example.org \
  '{"languages":["de","en","tr"],"topics":["RES","WORK","SOCB","HOUS","LANG"],"receiving":{"serviceTypes":["MBE"],"area":{"districts":["07315"]},"eligibility":{"minAge":27},"capacity":{"accepting":true,"maxOpenHandovers":40}}}'
# A coordinator person of the coordination office, invited by the bootstrap coordinator client (the office's own).
office=$(curl -fsS -H "Authorization: Bearer $token" "$partners/me" | json_field organisationId)
enrol "$office" "$token" coordinator coordinator@imsa-network.example.org "Jonas Becker"
echo "[seed] demo API clients (id=secret) are in ${clients_file#"$root/"}"
echo "[seed] demo people (role, address, password, authenticator key) are in ${people_file#"$root/"}"
