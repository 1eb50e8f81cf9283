#!/usr/bin/env bash
# Runs the backbone benchmark in Release against the local PostgreSQL and RabbitMQ (installed and started when
# missing). Each run creates its own databases and virtual host and removes them at the end; the results are
# printed and written to bench/results/ (ignored by git). Options are passed on, e.g. bench/run.sh --events 5000.
#   bench/run.sh --matching        the matching engine in-process (no database or broker needed)
#   bench/run.sh --matching-http   the Partners service's POST /directory/matches over HTTP: also builds the
#                                  service (Release) and runs it as its own process; about three minutes
#   bench/run.sh --journeys        complete handover journeys through the REST APIs of all three services: builds
#                                  them (Release) and runs each as its own process; the baselines first (backbone,
#                                  raw RabbitMQ, raw Npgsql, raw journey); about nine minutes (bench/run.sh
#                                  --journeys --help lists the options; --baselines-only runs the baselines alone)
#   bench/run.sh --faults          journeys while services are killed and PostgreSQL and RabbitMQ stopped: run it
#                                  through deploy/local/faults.sh, which says how to stop and start the servers
set -euo pipefail
. "$(dirname "$0")/../deploy/local/infra.sh"
cd "$IMSA_ROOT"

imsa_ensure_infra
if [ "${1:-}" = "--matching-http" ]; then
  imsa_log "building the Partners service (Release)"
  dotnet build services/Partners/Imsa.Network.Partners -c Release --nologo -v q </dev/null
fi
if [ "${1:-}" = "--journeys" ] || [ "${1:-}" = "--faults" ]; then
  for service in Partners Counselling Handovers; do
    imsa_log "building the $service service (Release)"
    dotnet build "services/$service/Imsa.Network.$service" -c Release --nologo -v q </dev/null
  done
fi
imsa_log "building the bench (Release)"
dotnet build bench/Imsa.Network.Bench -c Release --nologo -v q </dev/null
imsa_log "running; this takes a few minutes"
exec dotnet bench/Imsa.Network.Bench/bin/Release/net10.0/Imsa.Network.Bench.dll "$@" </dev/null
