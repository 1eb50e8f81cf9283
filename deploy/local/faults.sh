#!/usr/bin/env bash
# The long fault scenarios (docs/operations.md#outages): complete journeys from eight clients while, one after
# another, Handovers is killed (SIGKILL) and restarted, RabbitMQ's application is stopped for 8 s, Counselling is
# killed and restarted, PostgreSQL is stopped in immediate mode for 20 s, and Partners is killed and restarted;
# then every acknowledged journey must show in all three services, once, with nothing dead-lettered or quarantined.
# About three minutes. Exits non-zero when anything failed.
#
# It stops this machine's PostgreSQL and RabbitMQ for a while: everything else using them (a network started by
# run.sh, a test run) fails meanwhile. The quick forms of these outages run with every test run (FaultTests).
set -euo pipefail
. "$(dirname "$0")/infra.sh"
cd "$IMSA_ROOT"

imsa_ensure_infra
cluster=$(pg_lsclusters --no-header | awk 'NR == 1 { print $1 " " $2 }')
as_root() { if [ "$(id -u)" -eq 0 ]; then printf '%s' "$*"; else printf 'sudo -n %s' "$*"; fi; }
export IMSA_FAULT_BROKER_STOP IMSA_FAULT_BROKER_START IMSA_FAULT_DATABASE_STOP IMSA_FAULT_DATABASE_START
IMSA_FAULT_BROKER_STOP=$(as_root rabbitmqctl -q stop_app)
IMSA_FAULT_BROKER_START=$(as_root rabbitmqctl -q start_app)
IMSA_FAULT_DATABASE_STOP=$(as_root pg_ctlcluster "$cluster" stop -m immediate)
IMSA_FAULT_DATABASE_START=$(as_root pg_ctlcluster "$cluster" start)
exec bench/run.sh --faults "$@"
