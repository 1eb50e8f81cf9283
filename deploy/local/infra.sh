# Shared by run.sh, stop.sh and test.sh: makes sure PostgreSQL and RabbitMQ are installed, running and
# reachable by the "imsa" user, and exports how to reach them. Source it; do not run it.
# Needs root (or sudo) only for what is missing: installing packages and starting the servers.

IMSA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMSA_LOCAL="$IMSA_ROOT/.local"
mkdir -p "$IMSA_LOCAL"

imsa_log() { printf '[imsa] %s\n' "$*" >&2; }

imsa_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

imsa_psql() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- psql "$@"; else sudo -u postgres psql "$@"; fi
}

imsa_install_packages() {
  local missing=()
  command -v pg_lsclusters >/dev/null 2>&1 || missing+=(postgresql)
  command -v rabbitmqctl >/dev/null 2>&1 || missing+=(rabbitmq-server)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    imsa_log "installing ${missing[*]} from the Debian packages"
    imsa_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    imsa_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
  fi
}

imsa_start_postgres() {
  if ! pg_lsclusters --no-header 2>/dev/null | grep -q online; then
    imsa_log "starting PostgreSQL"
    imsa_sudo service postgresql start >/dev/null
  fi
  local i
  for i in $(seq 1 60); do
    imsa_psql -qtAc 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.5
  done
  # Test classes each get a database with a connection pool; the default of 100 connections is too tight.
  local max
  max=$(imsa_psql -qtAc 'SHOW max_connections')
  if [ "$max" -lt 400 ]; then
    imsa_log "raising PostgreSQL max_connections to 400"
    imsa_psql -qtAc 'ALTER SYSTEM SET max_connections = 400' >/dev/null
    imsa_sudo service postgresql restart >/dev/null
    for i in $(seq 1 60); do
      imsa_psql -qtAc 'SELECT 1' >/dev/null 2>&1 && break
      sleep 0.5
    done
  fi
}

imsa_start_rabbitmq() {
  if ! imsa_sudo rabbitmqctl -q status >/dev/null 2>&1; then
    imsa_log "starting RabbitMQ"
    imsa_sudo service rabbitmq-server start >/dev/null || true
  fi
  imsa_sudo rabbitmqctl -q await_startup --timeout 120 >/dev/null
  # The management API creates and deletes the tests' virtual hosts and lists queues for operators.
  if ! imsa_sudo rabbitmq-plugins -q list -e -m 2>/dev/null | grep -qx rabbitmq_management; then
    imsa_log "enabling the RabbitMQ management plugin"
    imsa_sudo rabbitmq-plugins -q enable rabbitmq_management >/dev/null
  fi
}

# Local secrets are generated once per checkout, kept in .local/ (ignored by git), never committed.
imsa_secrets() {
  local file="$IMSA_LOCAL/secrets.env"
  if [ ! -f "$file" ]; then
    umask 077
    {
      echo "IMSA_DB_PASSWORD=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24)"
      echo "IMSA_RABBITMQ_PASSWORD=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24)"
    } >"$file"
  fi
  if ! grep -q '^IMSA_COORDINATOR_CLIENT_SECRET=' "$file"; then
    echo "IMSA_COORDINATOR_CLIENT_SECRET=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40)" >>"$file"
  fi
  # The Counselling service's master key: it wraps every case's data key (docs/privacy.md). Losing it loses
  # every case; rotating it is described there.
  if ! grep -q '^IMSA_COUNSELLING_MASTER_KEY=' "$file"; then
    echo "IMSA_COUNSELLING_MASTER_KEY=$(openssl rand -base64 32)" >>"$file"
  fi
  # The token signing key: Partners signs with the private key, every service verifies with the public one.
  if [ ! -f "$IMSA_LOCAL/token-signing.pem" ]; then
    (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$IMSA_LOCAL/token-signing.pem" 2>/dev/null)
    openssl pkey -in "$IMSA_LOCAL/token-signing.pem" -pubout -out "$IMSA_LOCAL/token-signing.pub.pem"
  fi
  # shellcheck disable=SC1090
  . "$file"
  export IMSA_DB_PASSWORD IMSA_RABBITMQ_PASSWORD IMSA_COORDINATOR_CLIENT_SECRET IMSA_COUNSELLING_MASTER_KEY
}

imsa_users() {
  imsa_psql -qtA -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'imsa') THEN CREATE ROLE imsa LOGIN CREATEDB; END IF;
END \$\$;
ALTER ROLE imsa WITH LOGIN CREATEDB PASSWORD '$IMSA_DB_PASSWORD';
SQL
  if ! imsa_sudo rabbitmqctl -q list_users | grep -q '^imsa'; then
    imsa_sudo rabbitmqctl -q add_user imsa "$IMSA_RABBITMQ_PASSWORD" >/dev/null
  else
    imsa_sudo rabbitmqctl -q change_password imsa "$IMSA_RABBITMQ_PASSWORD" >/dev/null
  fi
  imsa_sudo rabbitmqctl -q set_user_tags imsa administrator >/dev/null
  imsa_sudo rabbitmqctl -q set_permissions -p / imsa '.*' '.*' '.*' >/dev/null
  local i
  for i in $(seq 1 60); do
    curl -fsS -u "imsa:$IMSA_RABBITMQ_PASSWORD" http://127.0.0.1:15672/api/overview >/dev/null 2>&1 && break
    sleep 0.5
  done
}

imsa_ensure_infra() {
  imsa_install_packages
  imsa_start_postgres
  imsa_start_rabbitmq
  imsa_secrets
  imsa_users
  export IMSA_POSTGRES="Host=127.0.0.1;Port=5432;Username=imsa;Password=$IMSA_DB_PASSWORD"
  export IMSA_RABBITMQ_HOST=127.0.0.1 IMSA_RABBITMQ_PORT=5672 IMSA_RABBITMQ_MANAGEMENT_PORT=15672
  export IMSA_RABBITMQ_USER=imsa
}
