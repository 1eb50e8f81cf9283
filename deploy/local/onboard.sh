# Sourced by seed.sh and demo.sh: how an organisation gets its first API client, as in production. The coordinator
# invites it (POST /organisations/{id}/invitations), the code goes by mail to the organisation's contact address
# (locally a file in .local/mail: there is no mail server), and the organisation redeems the code itself
# (POST /invitations/redeem). The coordinator never sees the code or the secret.

# imsa_invitation_code EMAIL: the code of the newest invitation mailed to EMAIL.
imsa_invitation_code() {
  local mail
  mail=$(grep -l -i -E "^To: $1"$'\r?$' "$IMSA_ROOT_DIR/.local/mail"/*.eml 2>/dev/null | sort | tail -n 1)
  [ -n "$mail" ] || { echo "[onboard] no invitation mailed to $1 in .local/mail" >&2; return 1; }
  sed -n 's/^Invitation code: *\([^[:space:]]*\).*/\1/p' "$mail" | head -n 1
}

# imsa_onboard PARTNERS_URL COORDINATOR_TOKEN ORGANISATION_ID EMAIL CLIENT_NAME: invites the organisation (its
# contact address must be EMAIL), redeems the mailed code, prints "clientId=clientSecret".
imsa_onboard() {
  local partners="$1" token="$2" id="$3" email="$4" name="$5" out code
  out=$(curl -sS -X POST -H "Authorization: Bearer $token" -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" \
    -w '\n%{http_code}' "$partners/organisations/$id/invitations")
  [ "${out##*$'\n'}" = 201 ] || { echo "[onboard] invitation refused (${out##*$'\n'}): ${out%$'\n'*}" >&2; return 1; }
  code=$(imsa_invitation_code "$email") || return 1
  out=$(curl -sS -X POST -H 'Content-Type: application/json' \
    -d "{\"code\":\"$code\",\"clientName\":\"$name\"}" -w '\n%{http_code}' "$partners/invitations/redeem")
  [ "${out##*$'\n'}" = 201 ] || { echo "[onboard] redemption refused (${out##*$'\n'}): ${out%$'\n'*}" >&2; return 1; }
  out=$(printf '%s' "${out%$'\n'*}" | tr -d '\n')
  printf '%s=%s\n' "$(printf '%s' "$out" | sed -n 's/.*"clientId": *"\([^"]*\)".*/\1/p')" \
    "$(printf '%s' "$out" | sed -n 's/.*"clientSecret": *"\([^"]*\)".*/\1/p')"
}
