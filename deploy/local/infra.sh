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
  # Computes the demo people's authenticator codes (deploy/local/seed.sh, totp.sh, sign-in.sh).
  command -v oathtool >/dev/null 2>&1 || missing+=(oathtool)
  if [ ${#missing[@]} -gt 0 ]; then
    imsa_log "installing ${missing[*]} from the Debian packages"
    imsa_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    imsa_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
  fi
}

# The browser tests' browser: Debian's Chromium, driven by Playwright by its path (Playwright's own download is not
# used), with fonts for the pages' scripts (Arabic included). Only test.sh needs it.
imsa_install_browser() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  [ -d /usr/share/fonts/truetype/noto ] || missing+=(fonts-noto-core)
  if [ ${#missing[@]} -gt 0 ]; then
    imsa_log "installing ${missing[*]} from the Debian packages (browser tests)"
    imsa_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    imsa_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
  fi
  export IMSA_CHROMIUM="${IMSA_CHROMIUM:-$(command -v chromium)}"
}

# kubectl, for the Kubernetes manifests' tests (tests/Imsa.Network.Deployment.Tests render deploy/kubernetes with
# `kubectl kustomize`): Debian's kubernetes-client (kubectl 1.20, kustomize v2.0.3, which the manifests are written
# for), only when no kubectl is on PATH; a newer one already there renders them too. Only test.sh needs it. If the
# install fails, the other tests still run and those tests fail, saying kubectl is missing.
imsa_install_kubectl() {
  command -v kubectl >/dev/null 2>&1 && return 0
  imsa_log "installing kubernetes-client from the Debian packages (kubectl, for the Kubernetes manifests' tests)"
  { imsa_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null &&
    imsa_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client </dev/null >/dev/null; } ||
    imsa_log "could not install kubernetes-client: the deployment tests will fail without kubectl"
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
  imsa_rabbitmq_settings
  # Already running with its management API (which answers a request without credentials with 401): each
  # rabbitmqctl call below starts an Erlang VM (a second or more), so a running broker is left at that.
  [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:15672/api/overview)" = 401 ] && return 0
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

# The broker's settings of ours, each in a file of its own in conf.d, so an operator's rabbitmq.conf stays theirs. A
# change restarts a running broker, once however many files changed.
imsa_rabbitmq_settings() {
  local changed=0
  imsa_rabbitmq_loopback && changed=1
  imsa_rabbitmq_consumer_timeout && changed=1
  if [ "$changed" = 1 ] && imsa_sudo rabbitmqctl -q status >/dev/null 2>&1; then
    imsa_log "restarting RabbitMQ for its new settings"
    imsa_sudo service rabbitmq-server restart >/dev/null || true
  fi
}

# imsa_rabbitmq_conf NAME CONTENT: /etc/rabbitmq/conf.d/NAME holds CONTENT; succeeds only when it had to be written.
imsa_rabbitmq_conf() {
  local file="/etc/rabbitmq/conf.d/$1" wanted="$2"
  [ "$(imsa_sudo cat "$file" 2>/dev/null)" != "$wanted" ] || return 1
  imsa_sudo mkdir -p /etc/rabbitmq/conf.d
  printf '%s\n' "$wanted" | imsa_sudo tee "$file" >/dev/null
}

# AMQP, the management UI and Erlang distribution listen on loopback only (RabbitMQ listens on every interface by
# default).
imsa_rabbitmq_loopback() {
  imsa_rabbitmq_conf 10-imsa-loopback.conf "# IMSA Network's local setup (deploy/local/infra.sh): AMQP, the management UI and Erlang distribution on loopback only.
listeners.tcp.default = 127.0.0.1:5672
management.tcp.ip = 127.0.0.1
management.tcp.port = 15672
distribution.listener.interface = 127.0.0.1" || return 1
  imsa_log "binding RabbitMQ to 127.0.0.1 (/etc/rabbitmq/conf.d/10-imsa-loopback.conf)"
}

# How long a consumer may hold a message unacknowledged before the broker closes its channel and gives the message
# back (2 hours). A consumer holds its messages while its database is away, and each give-back counts towards the
# queues' delivery limit (20), so this times that limit is the outage the consumers wait out without dead letters:
# docs/adr/0018-quorum-queues.md. The same value as deploy/kubernetes (RabbitmqCluster additionalConfig).
imsa_rabbitmq_consumer_timeout() {
  imsa_rabbitmq_conf 20-imsa-consumer-timeout.conf "# IMSA Network's local setup (deploy/local/infra.sh): docs/adr/0018-quorum-queues.md.
consumer_timeout = 7200000" || return 1
  imsa_log "setting RabbitMQ's consumer timeout (/etc/rabbitmq/conf.d/20-imsa-consumer-timeout.conf)"
}

# The broker users: one per service, one per service's dead-letter operations (docs/operations.md#broker-users).
IMSA_SERVICES=(partners counselling handovers)
IMSA_BROKER_PERMISSIONS="$IMSA_ROOT/deploy/broker/permissions.tsv"

# The names of the broker users' password variables: IMSA_RABBITMQ_PARTNERS_PASSWORD, ..._DEAD_LETTERS_PASSWORD.
imsa_broker_password_names() {
  local service upper
  for service in "${IMSA_SERVICES[@]}"; do
    upper="${service^^}"
    echo "IMSA_RABBITMQ_${upper}_PASSWORD IMSA_RABBITMQ_${upper}_DEAD_LETTERS_PASSWORD"
  done
}

# The credentials of this machine's PostgreSQL role "imsa" and RabbitMQ users belong to the machine, not to a
# checkout: every checkout (and a test run or bench beside a network another checkout started) reads them from
# one root-only file and never changes a password it did not make. Made once, the first time any checkout needs
# it; a checkout from before this file adopts its own .local passwords, so the network it started keeps running.
IMSA_MACHINE_SECRETS=/var/lib/imsa-network/infrastructure.env

imsa_machine_secrets() {
  local content="" key added="" name
  IMSA_MACHINE_SECRETS_NEW=""
  if imsa_sudo test -f "$IMSA_MACHINE_SECRETS"; then
    content=$(imsa_sudo cat "$IMSA_MACHINE_SECRETS")
  else
    IMSA_MACHINE_SECRETS_NEW=1
    content=$(grep -E '^(IMSA_DB_PASSWORD|IMSA_RABBITMQ_PASSWORD)=[A-Za-z0-9]+$' "$IMSA_LOCAL/secrets.env" 2>/dev/null || true)
  fi
  for key in IMSA_DB_PASSWORD IMSA_RABBITMQ_PASSWORD $(imsa_broker_password_names); do
    if ! grep -q "^$key=" <<<"$content"; then
      content+=$'\n'"$key=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24)"
      added=1
    fi
  done
  if [ -n "$added" ]; then
    imsa_log "writing the machine's database and broker credentials to $IMSA_MACHINE_SECRETS"
    imsa_sudo install -d -m 700 "${IMSA_MACHINE_SECRETS%/*}"
    printf '%s\n' "$content" | sed '/^$/d' | imsa_sudo tee "$IMSA_MACHINE_SECRETS.new" >/dev/null
    imsa_sudo chmod 600 "$IMSA_MACHINE_SECRETS.new"
    imsa_sudo mv "$IMSA_MACHINE_SECRETS.new" "$IMSA_MACHINE_SECRETS"
  fi
  # Only ever KEY=letters-and-digits lines: read as values, never run as shell.
  while IFS='=' read -r key name; do
    if [[ "$key" =~ ^IMSA_[A-Z_]+$ && "$name" =~ ^[A-Za-z0-9]+$ ]]; then
      printf -v "$key" '%s' "$name"
      export "${key?}"
    fi
  done <<<"$content"
  # They used to live in each checkout's .local/secrets.env: no stale copy there.
  if [ -f "$IMSA_LOCAL/secrets.env" ] && grep -qE '^(IMSA_DB_PASSWORD|IMSA_RABBITMQ_PASSWORD)=' "$IMSA_LOCAL/secrets.env"; then
    sed -i -E '/^(IMSA_DB_PASSWORD|IMSA_RABBITMQ_PASSWORD)=/d' "$IMSA_LOCAL/secrets.env"
  fi
}

# This checkout's own secrets, generated once, kept in .local/ (ignored by git), never committed: the bootstrap
# coordinator's secret, Counselling's master key and the token signing key of the network run.sh starts.
imsa_secrets() {
  local file="$IMSA_LOCAL/secrets.env"
  (umask 077 && touch "$file")
  if ! grep -q '^IMSA_COORDINATOR_CLIENT_SECRET=' "$file"; then
    echo "IMSA_COORDINATOR_CLIENT_SECRET=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40)" >>"$file"
  fi
  # The Counselling service's master key: it wraps every case's data key (docs/privacy.md). Losing it loses
  # every case; rotating it is described there.
  if ! grep -q '^IMSA_COUNSELLING_MASTER_KEY=' "$file"; then
    echo "IMSA_COUNSELLING_MASTER_KEY=$(openssl rand -base64 32)" >>"$file"
  fi
  # The secret of the local sign-in client (deploy/local/sign-in.sh), an application that signs people in.
  if ! grep -q '^IMSA_SIGN_IN_CLIENT_SECRET=' "$file"; then
    echo "IMSA_SIGN_IN_CLIENT_SECRET=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40)" >>"$file"
  fi
  # The web application's secret at Partners (its sign-in client, imsa-web).
  if ! grep -q '^IMSA_WEB_CLIENT_SECRET=' "$file"; then
    echo "IMSA_WEB_CLIENT_SECRET=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40)" >>"$file"
  fi
  # Counselling's and Handovers' keys for pseudonymous references to people (docs/privacy.md): lost, they are
  # merely made again, and the references shown change. Partners' key for people's authenticator keys and recovery
  # codes: lost, every person adds their authenticator again.
  # Partners' master key, which seals the webhook secrets: lost, the organisations rotate their webhooks' secrets.
  # Handovers' master key, which wraps the keys of the tickets' free text: lost, the messages and notes are lost.
  for name in IMSA_COUNSELLING_PSEUDONYM_KEY IMSA_HANDOVERS_PSEUDONYM_KEY IMSA_PEOPLE_TOKEN_KEY IMSA_PARTNERS_MASTER_KEY IMSA_HANDOVERS_MASTER_KEY; do
    if ! grep -q "^$name=" "$file"; then
      echo "$name=$(openssl rand -base64 32)" >>"$file"
    fi
  done
  # The token signing key: Partners signs with the private key, every service verifies with the public one.
  if [ ! -f "$IMSA_LOCAL/token-signing.pem" ]; then
    (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$IMSA_LOCAL/token-signing.pem" 2>/dev/null)
    openssl pkey -in "$IMSA_LOCAL/token-signing.pem" -pubout -out "$IMSA_LOCAL/token-signing.pub.pem"
  fi
  imsa_load_secrets
}

# Reads .local/secrets.env and the machine's credentials into the shell (exported, as the scripts and the bench
# read them). Makes nothing but the machine's credentials file, the first time: imsa_secrets makes the rest.
imsa_load_secrets() {
  local file="$IMSA_LOCAL/secrets.env"
  imsa_machine_secrets
  if [ ! -f "$file" ]; then
    imsa_log "${file#"$IMSA_ROOT/"} does not exist yet: deploy/local/run.sh makes it at its first start"
    return 1
  fi
  # shellcheck disable=SC1090
  . "$file"
  export IMSA_COORDINATOR_CLIENT_SECRET IMSA_COUNSELLING_MASTER_KEY IMSA_COUNSELLING_PSEUDONYM_KEY IMSA_HANDOVERS_PSEUDONYM_KEY \
    IMSA_SIGN_IN_CLIENT_SECRET IMSA_PEOPLE_TOKEN_KEY IMSA_WEB_CLIENT_SECRET IMSA_PARTNERS_MASTER_KEY IMSA_HANDOVERS_MASTER_KEY
}

# A user whose password the machine's credentials file gives: made when missing; when it exists and refuses that
# password, changed only if the file was made just now (adopting this checkout's) or IMSA_RESET_CREDENTIALS=1, and
# otherwise left alone with an explanation: someone else's network may depend on it.
imsa_credentials_refused() {
  local what="$1"
  if [ -n "${IMSA_MACHINE_SECRETS_NEW:-}" ] || [ "${IMSA_RESET_CREDENTIALS:-}" = 1 ]; then
    imsa_log "$what: setting the password from $IMSA_MACHINE_SECRETS"
    return 0
  fi
  imsa_log "$what does not accept the password in $IMSA_MACHINE_SECRETS (a script of an older checkout may have"
  imsa_log "changed it). Nothing changed. To set it from that file, stopping whatever uses the old one:"
  imsa_log "  IMSA_RESET_CREDENTIALS=1 $0"
  return 1
}

imsa_users() {
  if ! imsa_psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'imsa'" | grep -q 1; then
    imsa_psql -qtA -v ON_ERROR_STOP=1 -c "CREATE ROLE imsa LOGIN CREATEDB PASSWORD '$IMSA_DB_PASSWORD'" >/dev/null
  elif ! PGPASSWORD="$IMSA_DB_PASSWORD" psql -h 127.0.0.1 -U imsa -d postgres -qtAc 'SELECT 1' >/dev/null 2>&1; then
    imsa_credentials_refused "PostgreSQL role imsa" || return 1
    imsa_psql -qtA -v ON_ERROR_STOP=1 -c "ALTER ROLE imsa WITH LOGIN CREATEDB PASSWORD '$IMSA_DB_PASSWORD'" >/dev/null
  fi

  imsa_broker_users_in_place && { imsa_rabbitmq_quorum_migration; return 0; }
  # RabbitMQ's default administrator guest/guest is not needed and not wanted.
  if imsa_sudo rabbitmqctl -q list_users | grep -q '^guest[[:space:]]'; then
    imsa_log "deleting RabbitMQ's default user guest"
    imsa_sudo rabbitmqctl -q delete_user guest >/dev/null
  fi
  # imsa: the scripts' and tests' administrator (management API: test virtual hosts, queue depths), with no
  # access to the messages of the network run.sh starts (virtual host /).
  imsa_rabbitmq_user imsa "$IMSA_RABBITMQ_PASSWORD" administrator || return 1
  imsa_sudo rabbitmqctl -q clear_permissions -p / imsa >/dev/null 2>&1 || true
  local service upper user configure write read
  for service in "${IMSA_SERVICES[@]}"; do
    upper="${service^^}"
    user="IMSA_RABBITMQ_${upper}_PASSWORD"
    imsa_rabbitmq_user "imsa-$service" "${!user}" || return 1
    user="IMSA_RABBITMQ_${upper}_DEAD_LETTERS_PASSWORD"
    imsa_rabbitmq_user "imsa-$service-dead-letters" "${!user}" || return 1
  done
  while IFS=$'\t' read -r user configure write read; do
    imsa_sudo rabbitmqctl -q set_permissions -p / "$user" "$configure" "$write" "$read" >/dev/null </dev/null
  done < <(imsa_broker_permissions)
  local i
  for i in $(seq 1 60); do
    curl -fsS -u "imsa:$IMSA_RABBITMQ_PASSWORD" http://127.0.0.1:15672/api/overview >/dev/null 2>&1 && break
    sleep 0.5
  done
  imsa_rabbitmq_quorum_migration
}

# The services declare their queues as quorum queues (docs/adr/0018-quorum-queues.md), and RabbitMQ refuses to
# declare a queue that exists as a classic one (PRECONDITION_FAILED, inequivalent arg 'x-queue-type'). So the classic
# queues of ours on / that an older build left are deleted here, for the services to declare them anew — only while
# no service consumes from any of them (the network is stopped: no event can be published into a missing queue
# meanwhile), and each only if empty (rabbitmqctl checks that as it deletes). A queue with messages is left, and
# named with what to do. Quiet when there is nothing to migrate; a service whose environment file sets
# Messaging__QuorumQueues=false keeps its classic queues. imsa_rabbitmq_quorum_migration [VHOST] (default /).
imsa_rabbitmq_quorum_migration() {
  local vhost="${1:-/}" json queue consumers messages name type service used=0
  local -a classic=()
  json=$(curl -fsS -u "imsa:$IMSA_RABBITMQ_PASSWORD" \
    "http://127.0.0.1:15672/api/queues/${vhost//\//%2F}?columns=name,type,messages,consumers" 2>/dev/null) || return 0
  while [[ "$json" =~ \{\"consumers\":([0-9]+),\"messages\":([0-9]+),\"name\":\"([^\"]+)\",\"type\":\"([a-z]+)\"\}(.*) ]]; do
    consumers="${BASH_REMATCH[1]}" messages="${BASH_REMATCH[2]}" name="${BASH_REMATCH[3]}" type="${BASH_REMATCH[4]}"
    json="${BASH_REMATCH[5]}"
    service="${name%%-*}"
    [[ " ${IMSA_SERVICES[*]} " == *" $service "* && "$name" == "$service-"* ]] || continue
    [ "$consumers" = 0 ] || used=1
    [ "$type" = classic ] || continue
    grep -qx 'Messaging__QuorumQueues=false' "$IMSA_ROOT/deploy/environment/$service.env" 2>/dev/null && continue
    classic+=("$name:$messages")
  done
  [ ${#classic[@]} -gt 0 ] || return 0
  if [ "$used" = 1 ]; then
    imsa_log "${#classic[@]} classic RabbitMQ queues on $vhost are to become quorum queues, but services are consuming:"
    imsa_log "  stop them (deploy/local/stop.sh) and run this again (docs/operations.md#migrating-classic-queues-to-quorum-queues)"
    return 0
  fi
  for queue in "${classic[@]}"; do
    name="${queue%:*}" messages="${queue##*:}"
    if [ "$messages" = 0 ] && imsa_sudo rabbitmqctl -q -p "$vhost" delete_queue "$name" --if-empty --if-unused >/dev/null 2>&1; then
      imsa_log "deleted the empty classic queue $name: its service declares it again as a quorum queue"
      continue
    fi
    imsa_log "RabbitMQ queue $name on $vhost is a classic queue with messages: its service cannot start until it is drained"
    if [[ "$name" == *_error ]]; then
      imsa_log "  replay or discard its dead letters with the older build running (docs/operations.md#error-queues),"
    else
      imsa_log "  start the network once with Messaging__QuorumQueues=false in deploy/environment/${name%%-*}.env until it is consumed,"
    fi
    imsa_log "  or, if its messages may go: rabbitmqctl -p $vhost delete_queue $name"
  done
}

# Whether the broker's users are already as imsa_users makes them, read through the management API in a few
# milliseconds (rabbitmqctl takes a second or more a call, minutes on a busy machine): the administrator imsa
# accepts its password and has no access to /, guest is gone, and each service user has its password (checked
# against the stored hash: a 4-byte salt, then SHA-256 of salt and password), no tags and exactly its permissions.
imsa_broker_users_in_place() {
  local api=http://127.0.0.1:15672/api auth="imsa:$IMSA_RABBITMQ_PASSWORD" user configure write read password
  [ "$(curl -s -u "$auth" "$api/whoami")" = '{"name":"imsa","tags":["administrator"]}' ] || return 1
  [ "$(curl -s -o /dev/null -w '%{http_code}' -u "$auth" "$api/users/guest")" = 404 ] || return 1
  [ "$(curl -s -o /dev/null -w '%{http_code}' -u "$auth" "$api/permissions/%2F/imsa")" = 404 ] || return 1
  while IFS=$'\t' read -r user configure write read; do
    password="IMSA_RABBITMQ_$(tr 'a-z-' 'A-Z_' <<<"${user#imsa-}")_PASSWORD"
    imsa_rabbitmq_password_matches "$(curl -s -u "$auth" "$api/users/$user")" "${!password}" || return 1
    [ "$(curl -s -u "$auth" "$api/permissions/%2F/$user")" = \
      "$(printf '{"user":"%s","vhost":"/","configure":"%s","write":"%s","read":"%s"}' \
        "$user" "${configure//\\/\\\\}" "${write//\\/\\\\}" "${read//\\/\\\\}")" ] || return 1
  done < <(imsa_broker_permissions)
}

# imsa_rabbitmq_password_matches USER_JSON PASSWORD: the management API's user (with no tags) stores PASSWORD.
imsa_rabbitmq_password_matches() {
  local json="$1" password="$2" hash hex digest
  [[ "$json" =~ ^\{\"name\":\"[a-z-]+\",\"password_hash\":\"([A-Za-z0-9+/=]+)\",\"hashing_algorithm\":\"rabbit_password_hashing_sha256\",\"tags\":\[\],\"limits\":\{\}\}$ ]] || return 1
  hash="${BASH_REMATCH[1]}"
  hex=$(printf '%s' "$hash" | base64 -d 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
  [ ${#hex} -eq 72 ] || return 1
  digest=$( { printf "$(sed 's/../\\x&/g' <<<"${hex:0:8}")"; printf '%s' "$password"; } | sha256sum | cut -c1-64)
  [ "$digest" = "${hex:8}" ]
}

# imsa_rabbitmq_user NAME PASSWORD [TAG]: the user exists, accepts PASSWORD and has exactly that tag (none: no
# management access at all).
imsa_rabbitmq_user() {
  local name="$1" password="$2" tag="${3:-}"
  if ! imsa_sudo rabbitmqctl -q list_users | cut -f1 | grep -qx -- "$name"; then
    imsa_sudo rabbitmqctl -q add_user "$name" "$password" >/dev/null
  elif ! imsa_sudo rabbitmqctl -q authenticate_user "$name" "$password" >/dev/null 2>&1; then
    imsa_credentials_refused "RabbitMQ user $name" || return 1
    imsa_sudo rabbitmqctl -q change_password "$name" "$password" >/dev/null
  fi
  # shellcheck disable=SC2086
  imsa_sudo rabbitmqctl -q set_user_tags "$name" $tag >/dev/null
}

# The broker permissions of deploy/broker/permissions.tsv: user, configure, write, read (tab-separated regular
# expressions), comments and blank lines left out.
imsa_broker_permissions() {
  grep -vE '^[[:space:]]*(#|$)' "$IMSA_BROKER_PERMISSIONS"
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
  local service
  for service in "${IMSA_SERVICES[@]}"; do
    printf -v "IMSA_RABBITMQ_${service^^}_USER" '%s' "imsa-$service"
    printf -v "IMSA_RABBITMQ_${service^^}_DEAD_LETTERS_USER" '%s' "imsa-$service-dead-letters"
    export "IMSA_RABBITMQ_${service^^}_USER" "IMSA_RABBITMQ_${service^^}_DEAD_LETTERS_USER"
  done
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

# What run.sh runs on 127.0.0.1: the gateway in front, the three services behind it, the web application.
declare -gA IMSA_PORTS=([gateway]=5100 [partners]=5101 [counselling]=5102 [handovers]=5103 [web]=5104)
declare -gA IMSA_PROJECTS=([gateway]=Gateway [partners]=Partners [counselling]=Counselling [handovers]=Handovers [web]=Web)

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
  # The local application that signs people in (deploy/local/sign-in.sh): it reads the code from the redirect
  # itself, so nothing needs to listen at its loopback redirect URI (as with a native app, RFC 8252).
  IMSA_SIGN_IN_CLIENT_ID=imsa-local-sign-in
  IMSA_SIGN_IN_REDIRECT_URI="http://127.0.0.1:8400/signed-in"
  # "localhost", not an address: browsers offer passkeys (WebAuthn) only to a site with a name.
  IMSA_PUBLIC_URL="http://localhost:${IMSA_PORTS[gateway]}/"
  IMSA_ALLOWED_HOSTS="localhost;127.0.0.1"
  # The gateway runs on this host: locally every caller shares its address (docs/operations.md#trusted-proxies).
  IMSA_TRUSTED_PROXIES=127.0.0.1
  # No mail server locally: invitation codes land here, one .eml file each (deploy/local/seed.sh reads them).
  IMSA_MAIL_PICKUP_DIRECTORY="$IMSA_LOCAL/mail"
  IMSA_GATEWAY_PARTNERS_URL="http://127.0.0.1:${IMSA_PORTS[partners]}"
  IMSA_GATEWAY_COUNSELLING_URL="http://127.0.0.1:${IMSA_PORTS[counselling]}"
  IMSA_GATEWAY_HANDOVERS_URL="http://127.0.0.1:${IMSA_PORTS[handovers]}"
  # "localhost" like IMSA_PUBLIC_URL: the browser keeps Partners' cookies for one host name.
  IMSA_WEB_PUBLIC_URL="http://localhost:${IMSA_PORTS[web]}/"
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
