# Shared settings and helpers of the set-up scripts. Sourced, not run.
# Every path the scripts write lies under $LOCAL (ignored by git).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL=${NANJING_LOCAL:-$ROOT/.local}
VENV=$LOCAL/venv
RUN=$LOCAL/run
LOG=$LOCAL/log
SECRETS=$LOCAL/secrets.env

PG_PORT=${NANJING_PG_PORT:-5432}
REDIS_PORT=${NANJING_REDIS_PORT:-6379}
SOLR_PORT=${NANJING_SOLR_PORT:-8983}
MARIADB_PORT=${NANJING_MARIADB_PORT:-3307}
MAIL_PORT=${NANJING_MAIL_PORT:-1025}
CKAN_PORT=${NANJING_CKAN_PORT:-5000}
TEST_CKAN_PORT=${NANJING_TEST_CKAN_PORT:-5055}
JAVA=${NANJING_JAVA:-java}
MVN=${NANJING_MVN:-mvn}

PG_BIN=/usr/lib/postgresql/15/bin
PG_DATA=$LOCAL/postgres/data
PG_SOCKET=$RUN/postgres
MARIADBD=/usr/sbin/mariadbd
MARIADB_DATA=$LOCAL/mariadb/data
MARIADB_SOCKET=$RUN/mariadb/mariadb.sock
SOLR_LIB=$LOCAL/solr/lib
SOLR_HOME=$LOCAL/solr/home

CKAN_INI=${NANJING_CKAN_INI:-$LOCAL/ckan.ini}
TEST_INI=$LOCAL/test.ini
CKAN="$VENV/bin/ckan"

mkdir -p "$LOCAL" "$RUN" "$LOG"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# fail SERVICE CAUSE FIX: stop with a message naming all three.
fail() {
    printf '\n[失败] %s\n  原因：%s\n  解决：%s\n' "$1" "$2" "$3" >&2
    exit 1
}

is_root() { [ "$(id -u)" = 0 ]; }

# Runs a PostgreSQL server command as the cluster's owner.
as_postgres() {
    if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for SECONDS COMMAND...: polls until the command succeeds.
wait_for() {
    local seconds=$1; shift
    local i
    for ((i = 0; i < seconds * 4; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.25
    done
    return 1
}

# A hash of the given files, to skip installs whose inputs did not change.
inputs_hash() { cat "$@" | sha256sum | cut -c1-16; }

# ckan_quiet ARGS...: runs the ckan CLI with its log lines kept in
# $LOG/ckan-cli.log, shown only when the command fails.
ckan_quiet() {
    local status=0
    "$CKAN" "$@" 2>>"$LOG/ckan-cli.log" || status=$?
    [ $status = 0 ] || tail -20 "$LOG/ckan-cli.log" >&2
    return $status
}

secret() {
    # shellcheck disable=SC1090
    [ -f "$SECRETS" ] && . "$SECRETS"
    eval "printf '%s' \"\${$1:-}\""
}
