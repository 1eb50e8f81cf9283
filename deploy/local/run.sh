#!/usr/bin/env bash
# Starts the whole network on this machine: PostgreSQL and RabbitMQ (installed and started when missing), one
# database per service, the three services in the background (migrations applied at start) and the gateway in front
# of them, then seeds a small demo network and prints where the APIs are. Stop it with deploy/local/stop.sh.
set -euo pipefail
. "$(dirname "$0")/infra.sh"
cd "$IMSA_ROOT"

imsa_ensure_infra

declare -A PORTS=([partners]=5101 [counselling]=5102 [handovers]=5103)
declare -A PROJECTS=([partners]=Partners [counselling]=Counselling [handovers]=Handovers)

for service in partners counselling handovers; do
  db="imsa_$service"
  if ! imsa_psql -qtAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    imsa_log "creating database $db"
    imsa_psql -qtAc "CREATE DATABASE $db OWNER imsa" >/dev/null
  fi
done

"$(dirname "$0")/stop.sh" --quiet
imsa_log "building"
dotnet build Imsa.Network.sln -c Release --nologo -v q </dev/null

mkdir -p "$IMSA_LOCAL/logs" "$IMSA_LOCAL/pids"
for service in partners counselling handovers; do
  project="${PROJECTS[$service]}"
  port="${PORTS[$service]}"
  bin="$IMSA_ROOT/services/$project/Imsa.Network.$project/bin/Release/net10.0"
  imsa_log "starting $service on http://127.0.0.1:$port"
  ASPNETCORE_ENVIRONMENT=Production \
  ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_CONTENTROOT="$bin" \
  ConnectionStrings__Database="$IMSA_POSTGRES;Database=imsa_$service" \
  RabbitMq__Host="$IMSA_RABBITMQ_HOST" RabbitMq__Port="$IMSA_RABBITMQ_PORT" \
  RabbitMq__Username="$IMSA_RABBITMQ_USER" RabbitMq__Password="$IMSA_RABBITMQ_PASSWORD" \
  Identity__Issuer="http://127.0.0.1:${PORTS[partners]}/" \
  Identity__ValidationKeys="$(cat "$IMSA_LOCAL/token-signing.pub.pem")" \
  Identity__SigningKey="$([ "$service" = partners ] && cat "$IMSA_LOCAL/token-signing.pem")" \
  Identity__Bootstrap__ClientId="$([ "$service" = partners ] && echo imsa-coordinator)" \
  Identity__Bootstrap__ClientSecret="$([ "$service" = partners ] && echo "$IMSA_COORDINATOR_CLIENT_SECRET")" \
  Encryption__ActiveKeyId="$([ "$service" = counselling ] && echo local1)" \
  Encryption__MasterKeys__local1="$([ "$service" = counselling ] && echo "$IMSA_COUNSELLING_MASTER_KEY")" \
    nohup dotnet "$bin/Imsa.Network.$project.dll" \
    >"$IMSA_LOCAL/logs/$service.log" 2>&1 </dev/null &
  echo $! >"$IMSA_LOCAL/pids/$service.pid"
done

gateway_bin="$IMSA_ROOT/services/Gateway/Imsa.Network.Gateway/bin/Release/net10.0"
imsa_log "starting the gateway on http://127.0.0.1:5100"
ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:5100" ASPNETCORE_CONTENTROOT="$gateway_bin" \
Gateway__Services__partners="http://127.0.0.1:${PORTS[partners]}" \
Gateway__Services__counselling="http://127.0.0.1:${PORTS[counselling]}" \
Gateway__Services__handovers="http://127.0.0.1:${PORTS[handovers]}" \
  nohup dotnet "$gateway_bin/Imsa.Network.Gateway.dll" >"$IMSA_LOCAL/logs/gateway.log" 2>&1 </dev/null &
echo $! >"$IMSA_LOCAL/pids/gateway.pid"
PORTS[gateway]=5100

for service in partners counselling handovers gateway; do
  port="${PORTS[$service]}"
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
  Gateway      http://127.0.0.1:5100/swagger  (one Swagger UI for the three APIs: /partners, /counselling, /handovers)
  Partners     http://127.0.0.1:${PORTS[partners]}/swagger
  Counselling  http://127.0.0.1:${PORTS[counselling]}/swagger
  Handovers    http://127.0.0.1:${PORTS[handovers]}/swagger
  RabbitMQ     http://127.0.0.1:15672  (user imsa, password in .local/secrets.env)
Tokens: POST http://127.0.0.1:${PORTS[partners]}/connect/token with grant_type=client_credentials; the first
coordinator client is imsa-coordinator, its secret is IMSA_COORDINATOR_CLIENT_SECRET in .local/secrets.env.
Walk a whole handover journey through the APIs: deploy/local/demo.sh
Logs are in .local/logs/; stop everything with deploy/local/stop.sh
TXT
