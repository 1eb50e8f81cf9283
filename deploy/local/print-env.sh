#!/usr/bin/env bash
# Prints the environment deploy/local/run.sh starts a service with: its file in deploy/environment/ with the
# placeholders filled in, then run.sh's own ASPNETCORE_URLS and content root. Secrets are masked (the name of the
# secret in their place), multi-line values shortened to their first and last line. Starts, installs and changes
# nothing but the machine's credentials file the first time (deploy/local/infra.sh): it reads .local/secrets.env,
# .local/token-signing*.pem, which run.sh makes at its first start, and the machine's credentials (with sudo).
#   deploy/local/print-env.sh                  all five: partners, counselling, handovers, gateway, web
#   deploy/local/print-env.sh counselling      one
set -euo pipefail
. "$(dirname "$0")/infra.sh"

services=("$@")
[ ${#services[@]} -gt 0 ] || services=(partners counselling handovers gateway web)
for service in "${services[@]}"; do
  if [ -z "${IMSA_PROJECTS[$service]:-}" ]; then
    echo "usage: $0 [partners|counselling|handovers|gateway|web ...]" >&2
    exit 2
  fi
done

imsa_load_secrets
imsa_infra_exports
imsa_local_placeholders

# The secrets, longest first (so a secret inside another is masked as the larger one).
secret_names=(IMSA_TOKEN_SIGNING_KEY IMSA_COUNSELLING_MASTER_KEY IMSA_PARTNERS_MASTER_KEY IMSA_HANDOVERS_MASTER_KEY IMSA_COUNSELLING_PSEUDONYM_KEY IMSA_HANDOVERS_PSEUDONYM_KEY IMSA_PEOPLE_TOKEN_KEY
  IMSA_COORDINATOR_CLIENT_SECRET IMSA_SIGN_IN_CLIENT_SECRET IMSA_WEB_CLIENT_SECRET IMSA_DB_PASSWORD
  IMSA_RABBITMQ_PASSWORD $(imsa_broker_password_names))

for service in "${services[@]}"; do
  imsa_local_service_env "$service" printed_environment
  echo "# $service: deploy/environment/$service.env, then run.sh's address and content root"
  for item in "${printed_environment[@]}"; do
    key="${item%%=*}" value="${item#*=}"
    for name in "${secret_names[@]}"; do
      value="${value//"${!name}"/<$name>}"
    done
    if [[ "$value" == *$'\n'* ]]; then
      lines=$(printf '%s\n' "$value" | wc -l)
      value="${value%%$'\n'*} … ${value##*$'\n'} ($lines lines)"
    fi
    printf '%s=%s\n' "$key" "$value"
  done
  echo
done
