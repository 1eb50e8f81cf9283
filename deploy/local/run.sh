#!/usr/bin/env bash
# Starts the whole network on this machine: PostgreSQL and RabbitMQ (installed and started when missing), one
# database per service, the three services in the background (migrations applied at start) and the gateway in front
# of them and the web application, then seeds a small demo network and prints where the APIs are. Stop it with deploy/local/stop.sh.
set -euo pipefail
. "$(dirname "$0")/infra.sh"
cd "$IMSA_ROOT"

imsa_ensure_infra
imsa_local_placeholders

for service in partners counselling handovers; do
  db="$IMSA_DATABASE_PREFIX$service"
  if ! imsa_psql -qtAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    imsa_log "creating database $db"
    imsa_psql -qtAc "CREATE DATABASE $db OWNER imsa" >/dev/null
  fi
done

"$(dirname "$0")/stop.sh" --quiet
imsa_log "building"
dotnet build Imsa.Network.sln -c Release --nologo -v q </dev/null

# Each with the environment of deploy/environment/<name>.env, filled in by imsa_local_placeholders
# (deploy/local/print-env.sh shows it), and without this shell's IMSA_* variables: the placeholders' values are
# for this script, not for the services.
mkdir -p "$IMSA_LOCAL/logs" "$IMSA_LOCAL/pids"
mapfile -t imsa_variables < <(compgen -e IMSA_ || true)
unset_imsa=()
for variable in "${imsa_variables[@]}"; do unset_imsa+=(-u "$variable"); done
for service in partners counselling handovers gateway web; do
  imsa_local_service_env "$service" service_environment
  if [ "$service" = gateway ]; then
    imsa_log "starting the gateway on http://127.0.0.1:${IMSA_PORTS[gateway]}"
  elif [ "$service" = web ]; then
    imsa_log "starting the web application on http://localhost:${IMSA_PORTS[web]}"
  else
    imsa_log "starting $service on http://127.0.0.1:${IMSA_PORTS[$service]}"
  fi
  env "${unset_imsa[@]}" "${service_environment[@]}" \
    nohup dotnet "$(imsa_service_bin "$service")/Imsa.Network.${IMSA_PROJECTS[$service]}.dll" \
    >"$IMSA_LOCAL/logs/$service.log" 2>&1 </dev/null &
  echo $! >"$IMSA_LOCAL/pids/$service.pid"
done

for service in partners counselling handovers gateway web; do
  port="${IMSA_PORTS[$service]}"
  ready=""
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ready=yes; break; fi
    if ! kill -0 "$(cat "$IMSA_LOCAL/pids/$service.pid")" 2>/dev/null; then break; fi
    sleep 0.5
  done
  if [ -z "$ready" ]; then
    imsa_log "$service did not become ready; its log (.local/logs/$service.log) ends with:"
    tail -n 30 "$IMSA_LOCAL/logs/$service.log" >&2
    exit 1
  fi
done

"$(dirname "$0")/seed.sh"

cat <<TXT

IMSA Network is running.
  Web application http://localhost:${IMSA_PORTS[web]}  (sign in as a demo person: README.md, "Sign in as a demo person")
  Gateway      http://127.0.0.1:5100/swagger  (one Swagger UI for the three APIs: /partners, /counselling, /handovers)
  Partners     http://127.0.0.1:${IMSA_PORTS[partners]}/swagger
  Counselling  http://127.0.0.1:${IMSA_PORTS[counselling]}/swagger
  Handovers    http://127.0.0.1:${IMSA_PORTS[handovers]}/swagger
  RabbitMQ     http://127.0.0.1:15672  (user imsa: sudo grep RABBITMQ_PASSWORD= /var/lib/imsa-network/infrastructure.env)
Tokens: POST http://127.0.0.1:${IMSA_PORTS[partners]}/connect/token with grant_type=client_credentials; the first
coordinator client is imsa-coordinator, its secret is IMSA_COORDINATOR_CLIENT_SECRET in .local/secrets.env.
People sign in with a password and an authenticator: deploy/local/sign-in.sh counsellor prints Amal's token
(also organisation-admin, coordinator); deploy/local/totp.sh counsellor her current code (.local/demo-people.tsv).
Walk a whole handover journey through the APIs: deploy/local/demo.sh
Logs are in .local/logs/; stop everything with deploy/local/stop.sh
TXT
