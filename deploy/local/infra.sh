# Shared by run.sh, test.sh, print-env.sh and bench/run.sh: makes sure PostgreSQL and RabbitMQ are installed,
# running and reachable by the "imsa" user, and exports how to reach them; fills in the services' environments
# (deploy/environment/) with the values run.sh gives them. Source it; do not run it.
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
  imsa_load_secrets
}

# Reads .local/secrets.env into the shell (exported, as the scripts and the bench read them). Makes nothing:
# imsa_secrets does that.
imsa_load_secrets() {
  local file="$IMSA_LOCAL/secrets.env"
  if [ ! -f "$file" ]; then
    imsa_log "${file#"$IMSA_ROOT/"} does not exist yet: deploy/local/run.sh makes it at its first start"
    return 1
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
  imsa_infra_exports
}

# How to reach PostgreSQL (without a database) and RabbitMQ, for the scripts, the tests and the bench. Needs
# IMSA_DB_PASSWORD (imsa_load_secrets).
imsa_infra_exports() {
  export IMSA_POSTGRES="Host=127.0.0.1;Port=5432;Username=imsa;Password=$IMSA_DB_PASSWORD"
  export IMSA_RABBITMQ_HOST=127.0.0.1 IMSA_RABBITMQ_PORT=5672 IMSA_RABBITMQ_MANAGEMENT_PORT=15672
  export IMSA_RABBITMQ_USER=imsa
}

# imsa_service_env NAME ARRAY: fills the array ARRAY with the KEY=value items of deploy/environment/NAME.env, each
# placeholder ${IMSA_...} replaced by the value of the shell variable of that name (exported or not). Values may hold
# newlines (PEM keys). Fails, naming the file and line, on a placeholder that is unset or empty, on a line that
# is not KEY=value, on a key given twice, and on what Compose would read differently (a value in quotes, an
# inline comment, trailing blanks, a "$" that is not a placeholder): deploy/environment/README.md.
imsa_service_env() {
  local name="$1" file="$IMSA_ROOT/deploy/environment/$1.env"
  local -n imsa_env_out="$2"
  imsa_env_out=()
  if [ ! -f "$file" ]; then
    imsa_log "no environment file deploy/environment/$name.env"
    return 1
  fi
  local line key value result placeholder number=0 where
  local -A seen=()
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    where="deploy/environment/$name.env:$number"
    [[ "$line" =~ ^[[:space:]]*(#.*)?$ ]] && continue
    if [[ ! "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
      imsa_log "$where: not KEY=value (a letter or _ first, then letters, digits, _): $line"
      return 1
    fi
    key="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
    if [ -n "${seen[$key]:-}" ]; then
      imsa_log "$where: $key is already set on line ${seen[$key]}"
      return 1
    fi
    seen[$key]=$number
    if [[ "$value" == [\"\']* || "$value" == *" #"* || "$value" =~ [[:space:]]$ ]]; then
      imsa_log "$where: no quotes, inline comments or trailing blanks in a value (Compose would read them differently)"
      return 1
    fi
    result=""
    while [[ "$value" == *'$'* ]]; do
      result+="${value%%\$*}"
      value="${value#*\$}"
      if [[ ! "$value" =~ ^\{(IMSA_[A-Z0-9_]+)\}(.*)$ ]]; then
        imsa_log "$where: a \$ that is not a placeholder \${IMSA_...}"
        return 1
      fi
      placeholder="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
      if [ -z "${!placeholder:-}" ]; then
        imsa_log "$where: \${$placeholder} for $key is not set (or empty) in this shell"
        return 1
      fi
      result+="${!placeholder}"
    done
    imsa_env_out+=("$key=$result$value")
  done <"$file"
}

# What run.sh runs on 127.0.0.1: the gateway in front, the three services behind it.
declare -gA IMSA_PORTS=([gateway]=5100 [partners]=5101 [counselling]=5102 [handovers]=5103)
declare -gA IMSA_PROJECTS=([gateway]=Gateway [partners]=Partners [counselling]=Counselling [handovers]=Handovers)

# The values run.sh fills the placeholders of deploy/environment/*.env with, beside the exported IMSA_POSTGRES,
# IMSA_RABBITMQ_* and the secrets (imsa_load_secrets, imsa_infra_exports). Plain shell variables, not exported,
# so that no process started from here inherits the signing key.
imsa_local_placeholders() {
  local pem
  for pem in token-signing.pem token-signing.pub.pem; do
    if [ ! -f "$IMSA_LOCAL/$pem" ]; then
      imsa_log ".local/$pem does not exist yet: deploy/local/run.sh makes it at its first start"
      return 1
    fi
  done
  IMSA_DATABASE_PREFIX=imsa_
  IMSA_RABBITMQ_VIRTUAL_HOST=/
  IMSA_TOKEN_ISSUER="http://127.0.0.1:${IMSA_PORTS[partners]}/"
  IMSA_TOKEN_VALIDATION_KEYS="$(cat "$IMSA_LOCAL/token-signing.pub.pem")"
  IMSA_TOKEN_SIGNING_KEY="$(cat "$IMSA_LOCAL/token-signing.pem")"
  IMSA_COORDINATOR_CLIENT_ID=imsa-coordinator
  IMSA_GATEWAY_PARTNERS_URL="http://127.0.0.1:${IMSA_PORTS[partners]}"
  IMSA_GATEWAY_COUNSELLING_URL="http://127.0.0.1:${IMSA_PORTS[counselling]}"
  IMSA_GATEWAY_HANDOVERS_URL="http://127.0.0.1:${IMSA_PORTS[handovers]}"
}

# The Release build folder of a service or the gateway (also its content root).
imsa_service_bin() {
  local project="${IMSA_PROJECTS[$1]}"
  echo "$IMSA_ROOT/services/$project/Imsa.Network.$project/bin/Release/net10.0"
}

# imsa_local_service_env NAME ARRAY: everything run.sh sets for NAME, as KEY=value items in ARRAY: its file in
# deploy/environment/ filled in (imsa_local_placeholders first), then the address and content root, which are
# run.sh's own.
imsa_local_service_env() {
  local -n imsa_local_out="$2"
  imsa_service_env "$1" "$2" || return 1
  imsa_local_out+=("ASPNETCORE_URLS=http://127.0.0.1:${IMSA_PORTS[$1]}" "ASPNETCORE_CONTENTROOT=$(imsa_service_bin "$1")")
}
