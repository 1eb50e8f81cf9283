#!/usr/bin/env bash
# Starts the whole network on this machine: PostgreSQL and RabbitMQ (installed and started when missing), one
# database per service, its migrations, the three services in the background and the gateway in front
# of them and the web application, then seeds a small demo network and prints where the APIs are. Stop it with deploy/local/stop.sh.
#
#   deploy/local/run.sh [--instances N]
#
# --instances N (or IMSA_INSTANCES=N) starts N instances of each service (1 to 9; 1 by default), instance i of a
# service on its port + 10·(i-1) (Partners 5101, 5111, ...); the gateway spreads requests over the ready ones, and the
# web application and Counselling's export reach the services through it. Kill one (its pid is in
# .local/pids/<service>-<i>.pid) and the network goes on with the others.
set -euo pipefail
. "$(dirname "$0")/infra.sh"
cd "$IMSA_ROOT"

instances="${IMSA_INSTANCES:-1}"
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) instances="${2:-}"; shift 2 || { echo "--instances needs a number" >&2; exit 2; } ;;
    --instances=*) instances="${1#*=}"; shift ;;
    *) echo "usage: deploy/local/run.sh [--instances N]" >&2; exit 2 ;;
  esac
done
if ! [[ "$instances" =~ ^[1-9]$ ]]; then
  echo "--instances takes a number from 1 to 9, not '$instances'" >&2
  exit 2
fi

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
# instance_port SERVICE I: the port of a service's I-th instance.
instance_port() { echo $((IMSA_PORTS[$1] + 10 * ($2 - 1))); }
# What the gateway forwards to: every instance; what the web application and Counselling's export call: the one
# instance, or the gateway's route in front of several (docs/operations.md#several-instances).
declare -A instance_list=() reached_at=()
for service in partners counselling handovers; do
  list=""
  for i in $(seq 1 "$instances"); do list+="${list:+,}http://127.0.0.1:$(instance_port "$service" "$i")"; done
  instance_list[$service]="$list"
  if [ "$instances" -gt 1 ]; then reached_at[$service]="http://127.0.0.1:${IMSA_PORTS[gateway]}/$service/"; else reached_at[$service]="$list"; fi
done

started=()
start() { # start NAME PIDNAME PORT: one process, its environment from deploy/environment/NAME.env
  local service="$1" name="$2" port="$3"
  if [ "$service" = gateway ]; then
    IMSA_GATEWAY_PARTNERS_URL="${instance_list[partners]}" IMSA_GATEWAY_COUNSELLING_URL="${instance_list[counselling]}" \
      IMSA_GATEWAY_HANDOVERS_URL="${instance_list[handovers]}" imsa_local_service_env "$service" service_environment
  else
    IMSA_GATEWAY_PARTNERS_URL="${reached_at[partners]}" IMSA_GATEWAY_COUNSELLING_URL="${reached_at[counselling]}" \
      IMSA_GATEWAY_HANDOVERS_URL="${reached_at[handovers]}" imsa_local_service_env "$service" service_environment
  fi
  service_environment+=("ASPNETCORE_URLS=http://127.0.0.1:$port") # the last of the two wins
  env "${unset_imsa[@]}" "${service_environment[@]}" \
    nohup dotnet "$(imsa_service_bin "$service")/Imsa.Network.${IMSA_PROJECTS[$service]}.dll" \
    >"$IMSA_LOCAL/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$IMSA_LOCAL/pids/$name.pid"
  started+=("$name:$port")
}

# The release's migration step first, once per service (docs/operations.md#releases), so that instances starting
# together do not each migrate.
for service in partners counselling handovers; do
  imsa_local_service_env "$service" service_environment
  if ! env "${unset_imsa[@]}" "${service_environment[@]}" dotnet "$(imsa_service_bin "$service")/Imsa.Network.${IMSA_PROJECTS[$service]}.dll" --migrate \
    >"$IMSA_LOCAL/logs/$service-migrate.log" 2>&1 </dev/null; then
    imsa_log "migrating $service's database failed; .local/logs/$service-migrate.log ends with:"
    tail -n 20 "$IMSA_LOCAL/logs/$service-migrate.log" >&2
    exit 1
  fi
done

for service in partners counselling handovers; do
  for i in $(seq 1 "$instances"); do
    name="$service"; [ "$instances" -gt 1 ] && name="$service-$i"
    imsa_log "starting $name on http://127.0.0.1:$(instance_port "$service" "$i")"
    start "$service" "$name" "$(instance_port "$service" "$i")"
  done
done
imsa_log "starting the gateway on http://127.0.0.1:${IMSA_PORTS[gateway]}"
start gateway gateway "${IMSA_PORTS[gateway]}"
imsa_log "starting the web application on http://localhost:${IMSA_PORTS[web]}"
start web web "${IMSA_PORTS[web]}"

for process in "${started[@]}"; do
  name="${process%%:*}" port="${process##*:}"
  ready=""
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ready=yes; break; fi
    if ! kill -0 "$(cat "$IMSA_LOCAL/pids/$name.pid")" 2>/dev/null; then break; fi
    sleep 0.5
  done
  if [ -z "$ready" ]; then
    imsa_log "$name did not become ready; its log (.local/logs/$name.log) ends with:"
    tail -n 30 "$IMSA_LOCAL/logs/$name.log" >&2
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
  Instances    $instances of each service (deploy/local/run.sh --instances N); the gateway spreads requests over them
  RabbitMQ     http://127.0.0.1:15672  (user imsa: sudo grep RABBITMQ_PASSWORD= /var/lib/imsa-network/infrastructure.env)
Tokens: POST http://127.0.0.1:${IMSA_PORTS[partners]}/connect/token with grant_type=client_credentials; the first
coordinator client is imsa-coordinator, its secret is IMSA_COORDINATOR_CLIENT_SECRET in .local/secrets.env.
People sign in with a password and an authenticator: deploy/local/sign-in.sh counsellor prints Amal's token
(also organisation-admin, coordinator); deploy/local/totp.sh counsellor her current code (.local/demo-people.tsv).
Walk a whole handover journey through the APIs: deploy/local/demo.sh
Logs are in .local/logs/; stop everything with deploy/local/stop.sh
TXT
