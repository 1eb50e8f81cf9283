#!/usr/bin/env bash
# Walks a whole handover journey through the REST APIs of the running network (deploy/local/run.sh) and prints
# each step: a partner abroad opens a case, records a session and the person's consent, finds a receiving service
# by matching, hands the case over; the service accepts, reads the consented dossier, reports first contact; the
# partner sees the outcome on its case; the people concerned are notified all along (the receiving counsellor of the
# offer within seconds, in the web application and by mail). Then the withdrawal path: the person withdraws with the
# receipt's code, the handover is revoked and the dossier refused. Then a reminder before an offer escalates (Handovers
# restarted for a minute with a demo SLA, answers due in 2 minutes). Last the person's rights: the partner exports the case (JSON and a
# printable document, written to .local/exports) and erases it. Each run joins a new demo partner (registered, invited and verified
# by the bootstrap coordinator; its API client made by itself from the mailed code), so it can be run again and again.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# Through the gateway, as a partner's system calls the network: whichever instances run behind it
# (deploy/local/run.sh --instances N), one may be killed while this runs.
partners="${IMSA_PARTNERS_URL:-http://127.0.0.1:5100/partners}"
counselling="${IMSA_COUNSELLING_URL:-http://127.0.0.1:5100/counselling}"
handovers="${IMSA_HANDOVERS_URL:-http://127.0.0.1:5100/handovers}"
: "${IMSA_COORDINATOR_CLIENT_SECRET:=$(sed -n 's/^IMSA_COORDINATOR_CLIENT_SECRET=//p' "$root/.local/secrets.env" 2>/dev/null)}"

step=0
say() { step=$((step + 1)); printf '\n\033[1m%2d. %s\033[0m\n' "$step" "$*"; }
show() { printf '    %s\n' "$@"; }
fail() { echo "[demo] $*" >&2; exit 1; }
# The first value of a JSON string field (enough for these flat answers; no jq needed).
field() { tr -d '\n' | grep -o "\"$1\": *\"[^\"]*\"" | head -n 1 | sed 's/.*: *"\(.*\)"/\1/'; }

# call METHOD URL TOKEN [BODY] [KEY] -> prints the body, then the status on its own last line. Every write carries an
# Idempotency-Key (a new one, unless KEY is given): sent again after a lost answer, it takes effect once. So it is
# sent again, with the same key, when the answer is lost: no connection, 502 (the instance died with the request in
# hand) or 503 (a dependency is away for a moment).
call() {
  local key=() out attempt
  [ "$1" = GET ] || key=(-H "Idempotency-Key: ${5:-$(cat /proc/sys/kernel/random/uuid)}")
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    out=$(curl -sS -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' "${key[@]}" ${4:+-d "$4"} \
      -w '\n%{http_code}' "$2" 2>/dev/null) || true
    case "$(status "$out")" in 000|502|503) sleep 0.5 ;; *) break ;; esac
  done
  printf '%s' "$out"
}
body() { printf '%s' "${1%$'\n'*}"; }
status() { printf '%s' "${1##*$'\n'}"; }
expect() { # expect CODE RESPONSE WHAT
  [ "$(status "$2")" = "$1" ] || fail "$3: expected $1, got $(status "$2"): $(body "$2")"
}
# retry CODE METHOD URL TOKEN [BODY]: events take a moment to reach the other services
# (one Idempotency-Key for all the tries: a refused try keeps nothing, the one that succeeds counts once).
retry() {
  local out key
  key=$(cat /proc/sys/kernel/random/uuid)
  for _ in $(seq 1 100); do
    out=$(call "$2" "$3" "$4" "${5:-}" "$key")
    [ "$(status "$out")" = "$1" ] && { printf '%s' "$out"; return 0; }
    sleep 0.1
  done
  printf '%s' "$out"
}
IMSA_ROOT_DIR="$root"
. "$root/deploy/local/onboard.sh"
token_for() {
  local attempt token
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    token=$(curl -fsS -d grant_type=client_credentials -d "client_id=$1" --data-urlencode "client_secret=$2" "$partners/connect/token" 2>/dev/null | field access_token) || true
    [ -n "$token" ] && break
    sleep 0.5
  done
  printf '%s' "$token"
}

# The demo's receiving counsellor (Lena Wagner at the Jugendmigrationsdienst Mainz, seeded by seed.sh): her token, and
# her notifications as the web application shows them.
receiving_counsellor=$(awk -F'\t' '$1 == "counsellor" && $2 ~ /@jmd-mainz\./ { print $2; exit }' "$root/.local/demo-people.tsv" 2>/dev/null || true)
person_token() { "$root/deploy/local/sign-in.sh" "$1" 2>/dev/null | tail -n 1; }
# notified TOKEN KIND HANDOVER [SECONDS]: waits (a minute, or SECONDS) for the person's notification of KIND about
# HANDOVER; prints its title.
notified() {
  local out items
  for _ in $(seq 1 $(( ${4:-60} * 2 ))); do
    out=$(call GET "$partners/people/me/notifications?language=en&limit=20" "$1")
    items=$(body "$out" | tr -d '\n' | grep -o '{[^{}]*"kind": *"'"$2"'"[^{}]*}' | grep -F "\"$3\"" | head -n 1)
    [ -n "$items" ] && { printf '%s' "$items" | field title; return 0; }
    sleep 0.5
  done
  return 1
}

curl -fsS "$partners/health/ready" >/dev/null 2>&1 || fail "the network is not running: start it with deploy/local/run.sh"
coordinator=$(token_for imsa-coordinator "$IMSA_COORDINATOR_CLIENT_SECRET")
[ -n "$coordinator" ] || fail "no coordinator token (is IMSA_COORDINATOR_CLIENT_SECRET in .local/secrets.env?)"

say "The coordinator registers, invites and verifies a partner abroad; the partner makes its own API client"
run_id=$(date +%Y%m%d-%H%M%S)
email="it-$run_id@demo-casablanca.example.org"
out=$(call POST "$partners/organisations" "$coordinator" \
  "{\"name\":\"Demo Partner Casablanca $run_id\",\"country\":\"MA\",\"kind\":\"origin-partner\",\"contactEmail\":\"$email\"}")
expect 201 "$out" "registering the partner"
partner_id=$(body "$out" | field id)
credentials=$(imsa_onboard "$partners" "$coordinator" "$partner_id" "$email" "demo") || fail "onboarding the partner"
partner=$(token_for "${credentials%%=*}" "${credentials#*=}")
expect 200 "$(call POST "$partners/organisations/$partner_id/verify" "$coordinator")" "verifying the partner"
show "partner $partner_id, verified; its invitation code came by mail (.local/mail), the coordinator never saw its secret"

say "The partner opens a case (personal data is encrypted under the case's own key)"
arrival=$(date -d '+3 months' +%Y-%m-01)
case_body="{\"identity\":{\"givenNames\":\"Amina\",\"familyName\":\"Example\",\"dateOfBirth\":\"$(date -d '-19 years' +%Y-%m-%d)\",\"nationalities\":[\"MA\"]},
  \"contact\":{\"email\":\"amina@example.org\",\"preferredLanguage\":\"ar\",\"preferredCounsellorGender\":\"female\"},
  \"migrationPlan\":{\"purpose\":\"vocational-training\",\"visa\":{\"status\":\"applied\"},\"plannedArrival\":\"$arrival\",\"destinationPostalCode\":\"55116\"},
  \"languageAndQualifications\":{\"germanLevel\":\"B1\",\"languagesSpoken\":[\"ar\",\"fr\"]},
  \"needsAndOpenTasks\":{\"openTasks\":[{\"topic\":\"ADMN\",\"title\":\"Register the address within 14 days\",\"done\":false}]},
  \"specialCategories\":{\"riskFlags\":[{\"code\":\"psychosocial\",\"note\":\"Shared only under explicit consent\"}]}}"
out=$(call POST "$counselling/cases" "$partner" "$case_body")
expect 201 "$out" "opening the case"
case_id=$(body "$out" | field id)
show "case $case_id (Amina Example, 19, vocational training, arriving $arrival in Mainz 55116)"
out=$(call POST "$counselling/cases/$case_id/sessions" "$partner" \
  "{\"heldOn\":\"$(date +%Y-%m-%d)\",\"format\":\"video\",\"topics\":[\"EDU\",\"LANG\"],\"notes\":\"Training contract signed; German course B1 passed.\"}")
expect 201 "$out" "recording a session"
show "session recorded"

say "Matching suggests receiving services for the case"
out=$(call POST "$partners/directory/matches" "$partner" \
  '{"postalCode":"55116","age":19,"purpose":"vocational-training","languages":["ar"],"topics":["EDU"],"explainExclusions":true}')
expect 200 "$out" "matching"
receiver_id=$(body "$out" | field organisationId)
[ -n "$receiver_id" ] || fail "no receiving service matches: was the demo network seeded (deploy/local/seed.sh)?"
show "best match: $(body "$out" | field name) ($receiver_id)"
show "why: $(body "$out" | tr -d '\n' | grep -o '"reasons": *\[[^]]*\]' | head -n 1 | sed 's/"reasons": *//')"
# The receiving service acts with the API client it made when it joined (deploy/local/seed.sh wrote it down).
credentials=$(grep -A1 -F "$receiver_id)" "$root/.local/demo-clients.env" 2>/dev/null | tail -n 1)
[ -n "$credentials" ] || fail "this checkout holds no API client of $receiver_id (.local/demo-clients.env): the network on this machine
was seeded from another checkout, and only an organisation ever holds its credentials. Run demo.sh from that checkout."
receiver=$(token_for "${credentials%%=*}" "${credentials#*=}") || fail "the API client of $receiver_id in .local/demo-clients.env is refused:
the network on this machine was seeded anew by another checkout (only an organisation ever holds its credentials). Run demo.sh from that checkout."

say "The person consents: identity, contact, migration plan, counselling history for that service, for a year"
out=$(retry 201 POST "$counselling/cases/$case_id/consents" "$partner" \
  "{\"recipients\":[\"$receiver_id\"],\"categories\":[\"identity\",\"contact\",\"migration-plan\",\"counselling-history\"],
    \"method\":\"signed-form\",\"obtainedAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"textLanguage\":\"en\",\"textVersion\":\"1\",
    \"validUntil\":\"$(date -u -d '+1 year' +%Y-%m-%dT00:00:00Z)\"}")
expect 201 "$out" "recording the consent"
consent_id=$(body "$out" | field id)
code=$(body "$out" | tr -d '\n' | sed -n 's/.*"withdrawal": *{ *"code": *"\([^"]*\)".*/\1/p')
show "consent $consent_id; the receipt (Kantara CR 1.1) gives the person the withdrawal code $code"

say "The partner requests the handover"
requested_at=$(date +%s)
out=$(retry 201 POST "$handovers/handovers" "$partner" \
  "{\"caseId\":\"$case_id\",\"receiverOrganisationId\":\"$receiver_id\",\"topics\":[\"EDU\",\"LANG\"],\"plannedArrival\":\"$arrival\",\"message\":\"Starts an apprenticeship; see the dossier.\"}")
expect 201 "$out" "requesting the handover"
handover_id=$(body "$out" | field id)
show "handover $handover_id: $(body "$out" | field status)"
# A request made while the case and consent are still on their way to Handovers waits there, and is offered once they arrive.
for _ in $(seq 1 100); do
  out=$(call GET "$handovers/handovers/$handover_id" "$partner")
  [ "$(body "$out" | field status)" = "offered" ] && break
  sleep 0.1
done
[ "$(body "$out" | field status)" = "offered" ] || fail "the handover was not offered: $(body "$out")"
show "offered, answer due $(body "$out" | field answerDueAt)"

say "The receiving counsellor learns of it without opening the inbox: a notification, and a mail"
[ -n "$receiving_counsellor" ] || fail "no seeded counsellor of the receiving service in .local/demo-people.tsv (deploy/local/seed.sh)"
lena=$(person_token "$receiving_counsellor")
[ -n "$lena" ] || fail "could not sign $receiving_counsellor in (deploy/local/sign-in.sh $receiving_counsellor says why)"
title=$(notified "$lena" offer-received "$handover_id") || fail "no notification of the offer reached $receiving_counsellor within a minute"
show "$receiving_counsellor, $(( $(date +%s) - requested_at )) s after the request: \"$title\""
show "in the web application: http://localhost:5104/notifications (deploy/local/totp.sh $receiving_counsellor prints her code); her mail: .local/mail"

say "The receiving service finds it in its inbox and accepts"
out=$(call GET "$handovers/handovers/inbox" "$receiver")
case "$(body "$out")" in *"$handover_id"*) show "in the inbox" ;; *) fail "the offer is not in the inbox" ;; esac
out=$(call POST "$handovers/handovers/$handover_id/accept" "$receiver")
expect 200 "$out" "accepting"
show "status: $(body "$out" | field status)"

say "It reads the dossier: only what the person consented to, and the read is logged"
out=$(retry 200 GET "$counselling/cases/$case_id/dossier" "$receiver")
expect 200 "$out" "reading the dossier"
show "categories: $(body "$out" | tr -d '\n' | sed -n 's/.*"categories": *\[\([^]]*\)\].*/\1/p')"
show "name: $(body "$out" | field givenNames) $(body "$out" | field familyName); special categories shown: $(body "$out" | tr -d '\n' | grep -q '"riskFlags"' && echo yes || echo no)"

say "After arrival it reports first contact"
out=$(call POST "$handovers/handovers/$handover_id/outcomes" "$receiver" "{\"outcome\":\"first-contact-made\",\"occurredOn\":\"$(date +%Y-%m-%d)\"}")
expect 200 "$out" "recording first contact"
show "status: $(body "$out" | field status)"

say "The partner sees the outcome on its case (the closed loop) and who read what"
for _ in $(seq 1 100); do
  out=$(call GET "$counselling/cases/$case_id" "$partner")
  case "$(body "$out")" in *first-contact-made*) break ;; esac
  sleep 0.1
done
show "handover on the case: status $(body "$out" | tr -d '\n' | sed -n 's/.*"handovers": *\[ *{[^}]*"status": *"\([^"]*\)".*/\1/p'), last outcome $(body "$out" | field lastOutcome)"
out=$(call GET "$counselling/cases/$case_id/disclosures" "$partner")
show "disclosures: $(body "$out" | grep -o '"organisationId"' | wc -l) read(s) by $receiver_id"

say "The withdrawal path: the person withdraws alone with the receipt's code"
out=$(curl -sS -X POST -H 'Content-Type: application/json' -d "{\"code\":\"$code\"}" -w '\n%{http_code}' "$counselling/consent-withdrawals")
expect 200 "$out" "withdrawing with the code"
show "consent: $(body "$out" | field state)"
out=$(call GET "$counselling/cases/$case_id/dossier" "$receiver")
show "the very next dossier read: HTTP $(status "$out") ($(body "$out" | field title))"
for _ in $(seq 1 100); do
  out=$(call GET "$handovers/handovers/$handover_id" "$receiver")
  [ "$(body "$out" | field status)" = revoked ] && break
  sleep 0.1
done
show "handover: $(body "$out" | field status) ($(body "$out" | field revocationCause))"

say "Before an offer escalates, the receiving service is reminded"
# The SLA gives 5 working days, the reminder a working day before: too long to watch. Handovers is started again for
# this step with answers due in 2 minutes and the reminder 1 minute before (Handovers:Sla:AnswerWithin,
# ReminderBefore), then as it was: each instance with the environment and command run.sh gave it (read from /proc).
demo_sla=(Handovers__Sla__AnswerWithin=00:02:00 Handovers__Sla__ReminderBefore=00:01:00 Handovers__Sla__Interval=00:00:05)
restart_handovers() { # restart_handovers [KEY=VALUE ...]: every Handovers instance, as run.sh started it, plus these
  local pidfile pid saved url environment command
  for pidfile in "$root"/.local/pids/handovers.pid "$root"/.local/pids/handovers-*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile") saved="${pidfile%.pid}"
    # How run.sh started it, kept at the first restart: the one to go back to, even if a restart died meanwhile.
    if [ ! -f "$saved.environ" ]; then
      kill -0 "$pid" 2>/dev/null || continue
      cp "/proc/$pid/environ" "$saved.environ" && cp "/proc/$pid/cmdline" "$saved.cmdline"
    fi
    mapfile -d '' -t environment < "$saved.environ"
    mapfile -d '' -t command < "$saved.cmdline"
    url=$(printf '%s\n' "${environment[@]}" | sed -n 's/^ASPNETCORE_URLS=//p' | tail -n 1)
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    fi
    env -i "${environment[@]}" "$@" nohup "${command[@]}" >>"$root/.local/logs/$(basename "$pidfile" .pid).log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    [ $# -gt 0 ] || rm -f "$saved.environ" "$saved.cmdline"
    for _ in $(seq 1 120); do curl -fsS "$url/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
  done
}
normal_handovers=()
trap '[ ${#normal_handovers[@]} -eq 0 ] || restart_handovers' EXIT
normal_handovers=(yes)
restart_handovers "${demo_sla[@]}"
show "Handovers restarted with a demo SLA: ${demo_sla[*]}"
out=$(retry 201 POST "$counselling/cases/$case_id/consents" "$partner" \
  "{\"recipients\":[\"$receiver_id\"],\"categories\":[\"identity\",\"contact\",\"migration-plan\"],
    \"method\":\"signed-form\",\"obtainedAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"textLanguage\":\"en\",\"textVersion\":\"1\",
    \"validUntil\":\"$(date -u -d '+1 year' +%Y-%m-%dT00:00:00Z)\"}")
expect 201 "$out" "recording a new consent"
out=$(retry 201 POST "$handovers/handovers" "$partner" \
  "{\"caseId\":\"$case_id\",\"receiverOrganisationId\":\"$receiver_id\",\"topics\":[\"EDU\"],\"plannedArrival\":\"$arrival\"}")
expect 201 "$out" "requesting a second handover"
second_id=$(body "$out" | field id)
for _ in $(seq 1 100); do
  out=$(call GET "$handovers/handovers/$second_id" "$partner")
  [ "$(body "$out" | field status)" = "offered" ] && break
  sleep 0.1
done
due=$(body "$out" | field answerDueAt)
show "a second offer, $second_id, left unanswered: due $due"
title=$(notified "$lena" offer-due-soon "$second_id" 150) || fail "no reminder reached $receiving_counsellor"
out=$(call GET "$handovers/handovers/$second_id" "$partner")
show "$(date -u +%H:%M:%S) UTC, the reminder: \"$title\""
show "the offer is still $(body "$out" | field status), due $due: the reminder came before it escalates"
expect 200 "$(call POST "$handovers/handovers/$second_id/withdraw" "$partner")" "withdrawing the second handover"
restart_handovers
normal_handovers=()
show "the partner withdrew it; Handovers runs with its own SLA again"

say "The person asks what the network holds about them: the partner exports the case (GDPR Art. 15 and 20)"
export_dir="$root/.local/exports"
mkdir -p "$export_dir"
out=$(call GET "$counselling/cases/$case_id/export" "$partner")
expect 200 "$out" "exporting the case"
body "$out" >"$export_dir/case-$case_id.json"
receipts=$(body "$out" | grep -o '"consentReceiptID"' | wc -l)
entries=$(body "$out" | grep -o '"action": *"[a-z-]*"' | wc -l)
show "JSON (schema docs/schemas/case-export.schema.json): $receipts consent receipt(s), $entries handover timeline entries, $(body "$out" | grep -o '"readerReference"' | wc -l) disclosure(s)"
show "written to ${export_dir#"$root/"}/case-$case_id.json"
out=$(call GET "$counselling/cases/$case_id/export?format=html&language=ar" "$partner")
expect 200 "$out" "exporting the case as a document"
body "$out" >"$export_dir/case-$case_id.ar.html"
show "the same as a document to print, in Arabic: ${export_dir#"$root/"}/case-$case_id.ar.html (open it in a browser)"

say "The person asks for erasure: the partner erases the case (GDPR Art. 17)"
out=$(call DELETE "$counselling/cases/$case_id" "$partner")
expect 204 "$out" "erasing the case"
out=$(call GET "$counselling/cases/$case_id" "$partner")
show "the case now: HTTP $(status "$out") ($(body "$out" | field title)); its data key is destroyed, nothing in it opens again"
for _ in $(seq 1 100); do
  out=$(call GET "$handovers/handovers/$handover_id" "$partner")
  [ -z "$(body "$out" | field message)" ] && break
  sleep 0.1
done
show "the handover's message in Handovers: $( [ -z "$(body "$out" | field message)" ] && echo 'gone (its key shredded)' || echo 'still there')"
out=$(call GET "$counselling/cases/$case_id/export" "$partner")
show "an export now: HTTP $(status "$out"); what remains (ids, codes, dates, the proof of consent) is listed in docs/privacy.md#erasure"

printf '\n\033[1mDone.\033[0m Case %s, handover %s. Explore them in the Swagger UIs (deploy/local/run.sh prints where).\n' "$case_id" "$handover_id"
