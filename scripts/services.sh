# Starts and stops the services the portal needs, each recording its PID in
# $RUN. Sourced by scripts/nanjing after lib.sh. Services are started with
# fd 9 closed: it holds scripts/nanjing's lock, which must end with the script.

psql_super() {
    PGOPTIONS="-c client_min_messages=warning" as_postgres "$PG_BIN/psql" -h "$PG_SOCKET" -p "$PG_PORT" -U postgres \
        -v ON_ERROR_STOP=1 -qAt "$@"
}

postgres_running() { as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

start_postgres() {
    [ -x "$PG_BIN/pg_ctl" ] || fail "PostgreSQL" "找不到 PostgreSQL 15（$PG_BIN）" \
        "安装 Debian 软件包 postgresql-15（make demo 会自动安装）"
    if [ -s "$PG_DATA/PG_VERSION" ] && postgres_running; then
        head -1 "$PG_DATA/postmaster.pid" >"$RUN/postgres.pid"
        return 0
    fi
    port_open "$PG_PORT" && fail "PostgreSQL" "端口 $PG_PORT 已被其他程序占用" \
        "停止占用该端口的程序（如系统自带的 PostgreSQL：pg_ctlcluster 15 main stop），或设置 NANJING_PG_PORT=其他端口"
    if [ ! -s "$PG_DATA/PG_VERSION" ]; then
        # No finished cluster: start over, so a half-made one never lingers.
        say "初始化 PostgreSQL 数据目录 $PG_DATA"
        rm -rf "$PG_DATA" "$PG_DATA.partial"
        mkdir -p "$LOCAL/postgres"
        is_root && chown postgres: "$LOCAL/postgres"
        as_postgres "$PG_BIN/initdb" -D "$PG_DATA.partial" -U postgres -E UTF8 \
            --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >"$LOG/initdb.log" 2>&1 \
            || fail "PostgreSQL" "initdb 失败（详见 $LOG/initdb.log）" \
                "确认磁盘空间与 $LOCAL 的权限（postgres 用户须能进入该目录），然后重新运行"
        mv "$PG_DATA.partial" "$PG_DATA"
    fi
    mkdir -p "$PG_SOCKET"
    touch "$LOG/postgres.log"
    is_root && chown postgres: "$PG_SOCKET" "$LOG/postgres.log"
    say "启动 PostgreSQL（端口 $PG_PORT）"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$LOG/postgres.log" -w -t 60 \
        -o "-p $PG_PORT -k $PG_SOCKET -c listen_addresses=127.0.0.1" start >/dev/null 9>&- \
        || fail "PostgreSQL" "启动失败（详见 $LOG/postgres.log）" "按日志中的错误处理后重新运行"
    head -1 "$PG_DATA/postmaster.pid" >"$RUN/postgres.pid"
}

start_redis() {
    if pid_alive "$RUN/redis.pid" && timeout 5 redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        return 0
    fi
    command -v redis-server >/dev/null || fail "Redis" "找不到 redis-server" \
        "安装 Debian 软件包 redis-server（make demo 会自动安装）"
    port_open "$REDIS_PORT" && fail "Redis" "端口 $REDIS_PORT 已被其他程序占用" \
        "停止占用该端口的程序，或设置 NANJING_REDIS_PORT=其他端口"
    say "启动 Redis（端口 $REDIS_PORT）"
    mkdir -p "$LOCAL/redis"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
        --pidfile "$RUN/redis.pid" --logfile "$LOG/redis.log" --dir "$LOCAL/redis" 9>&- \
        || fail "Redis" "启动失败（详见 $LOG/redis.log）" "按日志中的错误处理后重新运行"
    wait_for 20 timeout 5 redis-cli -p "$REDIS_PORT" ping \
        || fail "Redis" "20 秒内没有响应（详见 $LOG/redis.log）" "按日志中的错误处理后重新运行"
}

# MariaDB, for the exchange-database harvester's tests (installed by
# `make test` only; started whenever it is installed). root logs in through
# the socket as the OS user running these scripts, never over TCP.
# The local mailbox (scripts/localmail.py): an SMTP server on 127.0.0.1
# that keeps every mail in the Maildir $LOCAL/mail, so that the demo's
# verification links, notices and reminders can be read. A deployment
# points smtp.* at its own mail relay instead.
start_mail() {
    if pid_alive "$RUN/mail.pid" && port_open "$MAIL_PORT"; then
        return 0
    fi
    port_open "$MAIL_PORT" && fail "本地邮箱" "端口 $MAIL_PORT 已被其他程序占用" \
        "停止占用该端口的程序，或设置 NANJING_MAIL_PORT=其他端口"
    say "启动本地邮箱（SMTP 端口 $MAIL_PORT，邮件存于 $LOCAL/mail）"
    nohup "$VENV/bin/python" "$ROOT/scripts/localmail.py" "$MAIL_PORT" "$LOCAL/mail" \
        >>"$LOG/mail.log" 2>&1 </dev/null 9>&- &
    echo $! >"$RUN/mail.pid"
    wait_for 20 port_open "$MAIL_PORT" \
        || fail "本地邮箱" "20 秒内没有启动（详见 $LOG/mail.log）" "按日志中的错误处理后重新运行"
}

mariadb_super() {
    mariadb --no-defaults -S "$MARIADB_SOCKET" -u root -N -B "$@"
}

mariadb_ready() { mariadb-admin --no-defaults -S "$MARIADB_SOCKET" -u root ping; }

start_mariadb() {
    [ -x "$MARIADBD" ] || return 0
    if pid_alive "$RUN/mariadb.pid" && mariadb_ready >/dev/null 2>&1; then return 0; fi
    port_open "$MARIADB_PORT" && fail "MariaDB" "端口 $MARIADB_PORT 已被其他程序占用" \
        "停止占用该端口的程序，或设置 NANJING_MARIADB_PORT=其他端口"
    local user
    user=$(id -un)
    is_root && user=mysql
    if [ ! -d "$MARIADB_DATA/mysql" ]; then
        # No finished data directory: start over, so a half-made one never lingers.
        say "初始化 MariaDB 数据目录 $MARIADB_DATA"
        rm -rf "$MARIADB_DATA" "$MARIADB_DATA.partial"
        mkdir -p "$LOCAL/mariadb"
        is_root && chown mysql: "$LOCAL/mariadb"
        mariadb-install-db --no-defaults --datadir="$MARIADB_DATA.partial" --user="$user" \
            --auth-root-authentication-method=socket --auth-root-socket-user="$(id -un)" \
            --skip-test-db >"$LOG/mariadb-install-db.log" 2>&1 \
            || fail "MariaDB" "mariadb-install-db 失败（详见 $LOG/mariadb-install-db.log）" \
                "确认磁盘空间与 $LOCAL 的权限（mysql 用户须能进入该目录），然后重新运行"
        mv "$MARIADB_DATA.partial" "$MARIADB_DATA"
    fi
    mkdir -p "$(dirname "$MARIADB_SOCKET")"
    touch "$LOG/mariadb.log"
    is_root && chown mysql: "$(dirname "$MARIADB_SOCKET")" "$LOG/mariadb.log"
    say "启动 MariaDB（端口 $MARIADB_PORT）"
    nohup "$MARIADBD" --no-defaults --user="$user" --datadir="$MARIADB_DATA" \
        --socket="$MARIADB_SOCKET" --port="$MARIADB_PORT" --bind-address=127.0.0.1 \
        --skip-name-resolve --log-error="$LOG/mariadb.log" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
        >/dev/null 2>&1 </dev/null 9>&- &
    echo $! >"$RUN/mariadb.pid"
    local i
    for ((i = 0; i < 240; i++)); do
        mariadb_ready >/dev/null 2>&1 && return 0
        pid_alive "$RUN/mariadb.pid" || break
        sleep 0.25
    done
    stop_pid mariadb
    fail "MariaDB" "没有在 60 秒内就绪（日志最后几行：$(tail -3 "$LOG/mariadb.log" | tr '\n' ' ')）" \
        "查看 $LOG/mariadb.log；常见原因是端口被占用或数据目录损坏（删除 $MARIADB_DATA 后重新运行）"
}

solr_ready() { curl -fs --max-time 5 -o /dev/null "http://127.0.0.1:$SOLR_PORT/solr/ckan/select?q=*:*&rows=0"; }

start_solr() {
    if pid_alive "$RUN/solr.pid" && solr_ready; then return 0; fi
    check_java
    [ -f "$SOLR_LIB/.pom-$(inputs_hash "$ROOT/config/solr/pom.xml")" ] \
        || fail "Solr" "Solr 的 jar 尚未下载" "运行 make demo 或 make test，它们会先下载"
    port_open "$SOLR_PORT" && fail "Solr" "端口 $SOLR_PORT 已被其他程序占用" \
        "停止占用该端口的程序，或设置 NANJING_SOLR_PORT=其他端口"
    say "启动 Solr 9.10.1（端口 $SOLR_PORT，约 20 秒）"
    mkdir -p "$SOLR_HOME"
    nohup "$JAVA" -Xms256m -Xmx1g -cp "$SOLR_LIB/*" "$ROOT/config/solr/Launcher.java" \
        "$SOLR_HOME" "$SOLR_PORT" >"$LOG/solr.log" 2>&1 </dev/null 9>&- &
    echo $! >"$RUN/solr.pid"
    local i
    for ((i = 0; i < 180; i++)); do
        solr_ready && return 0
        pid_alive "$RUN/solr.pid" || break
        sleep 1
    done
    stop_pid solr
    fail "Solr" "没有在 180 秒内就绪（日志最后几行：$(tail -3 "$LOG/solr.log" | tr '\n' ' ')）" \
        "查看 $LOG/solr.log；常见原因是端口被占用或 Java 版本过低"
}

ckan_ready() { curl -fs --max-time 5 -o /dev/null "http://127.0.0.1:$CKAN_PORT/api/3/action/status_show"; }

# The portal as in production: gunicorn (gthread workers, one per core) under
# supervisord, behind nginx on 127.0.0.1:$CKAN_PORT, configs rendered from
# config/*.in by scripts/serving.py into $LOCAL/serve/portal. `start_ckan
# workers` (make demo) also puts the jobs worker, the harvest consumers and
# the minute scheduler under the same supervisord, which restarts them.
# NANJING_MICROCACHE: seconds anonymous pages are shared by nginx (0: off).
start_ckan() {
    local name=portal
    if pid_alive "$RUN/$name-supervisord.pid" && pid_alive "$RUN/$name/nginx.pid" && ckan_ready; then
        return 0
    fi
    # What is left of an earlier start of this portal (never another port's).
    [ "$(cat "$RUN/$name.port" 2>/dev/null)" = "$CKAN_PORT" ] && stop_serving "$name" quiet
    port_open "$CKAN_PORT" && fail "CKAN 门户" "端口 $CKAN_PORT 已被其他程序占用" \
        "停止占用该端口的程序，或设置 NANJING_CKAN_PORT=其他端口"
    ckan_quiet -c "$CKAN_INI" nanjing doctor || fail "CKAN 门户" "服务检查未通过，门户没有启动" \
        "按上面各项的解决办法处理后重新运行"
    say "启动门户 http://127.0.0.1:$CKAN_PORT（nginx + gunicorn，由 supervisord 看护）"
    local extra=()
    [ "${1:-}" = workers ] && extra+=(--with-workers)
    serve_portal "$name" "$CKAN_INI" "$CKAN_PORT" --cache "${NANJING_MICROCACHE:-2}" "${extra[@]}"
    wait_for 90 ckan_ready || { stop_serving "$name"; fail "CKAN 门户" \
        "90 秒内没有响应（详见 $LOG/$name-gunicorn.log 与 $LOG/$name-nginx-error.log）" \
        "按日志中的错误处理后重新运行"; }
}

# serve_portal NAME INI PORT [serving.py options]: renders the configs, starts
# supervisord (pid $RUN/NAME-supervisord.pid) and, once gunicorn listens,
# nginx (pid $RUN/NAME/nginx.pid). Waiting for the portal is the caller's.
serve_portal() {
    local name=$1 ini=$2 port=$3
    shift 3
    command -v nginx >/dev/null || fail "nginx" "找不到 nginx" \
        "安装 Debian 软件包 nginx（make demo 会自动安装）"
    pid_alive "$RUN/$name-supervisord.pid" && fail "CKAN 门户" \
        "$name 已由 supervisord（PID $(cat "$RUN/$name-supervisord.pid")）在端口 $(cat "$RUN/$name.port" 2>/dev/null) 运行" \
        "先运行 scripts/nanjing stop-serving $name（或 make stop）"
    echo "$port" >"$RUN/$name.port"
    "$VENV/bin/python" "$ROOT/scripts/serving.py" "$name" "$ini" "$port" "$@" 2>>"$LOG/$name-serving.log" \
        || fail "CKAN 门户" "无法生成 nginx 与 supervisord 的配置（详见 $LOG/$name-serving.log）" \
            "按日志中的错误处理后重新运行"
    # gunicorn serves the assets as built here (config/wsgi.py).
    "$CKAN" -c "$ini" asset build >>"$LOG/$name-serving.log" 2>&1 \
        || fail "CKAN 门户" "无法生成网页资源（详见 $LOG/$name-serving.log）" "按日志中的错误处理后重新运行"
    local serve=$LOCAL/serve/$name run=$RUN/$name
    rm -f "$run/gunicorn.sock"
    nohup "$VENV/bin/supervisord" -c "$serve/supervisord.conf" >>"$LOG/$name-supervisord.log" 2>&1 </dev/null 9>&- &
    echo $! >"$RUN/$name-supervisord.pid"
    wait_for 90 test -S "$run/gunicorn.sock" || { stop_serving "$name"; fail "CKAN 门户" \
        "gunicorn 90 秒内没有启动（详见 $LOG/$name-gunicorn.log）" "按日志中的错误处理后重新运行"; }
    nginx -p "$serve" -c "$serve/nginx.conf" -e "$LOG/$name-nginx-error.log" 9>&- \
        || { stop_serving "$name"; fail "nginx" "启动失败（详见 $LOG/$name-nginx-error.log）" \
            "确认端口 $port 空闲后重新运行"; }
}

# stop_serving NAME [quiet]: nginx, then supervisord with everything it runs.
stop_serving() {
    local name=$1 pid
    if pid_alive "$RUN/$name/nginx.pid"; then
        pid=$(cat "$RUN/$name/nginx.pid")
        kill -QUIT "$pid" 2>/dev/null
        wait_for 10 bash -c "! kill -0 $pid" || kill -TERM "$pid" 2>/dev/null
        [ -n "${2:-}" ] || say "已停止 $name 的 nginx（PID $pid）"
    fi
    rm -f "$RUN/$name/nginx.pid"
    [ -f "$RUN/$name-supervisord.pid" ] && { stop_pid "$name-supervisord" >/dev/null
        [ -n "${2:-}" ] || say "已停止 $name 的 supervisord 及其进程（gunicorn、后台任务与采集进程）"; }
    rm -f "$RUN/$name-supervisord.pid" "$RUN/$name.port"
}

# stop_pid NAME: ends the process recorded in $RUN/NAME.pid and waits for it.
stop_pid() {
    local file=$RUN/$1.pid pid i
    pid_alive "$file" || { rm -f "$file"; return 0; }
    pid=$(cat "$file")
    kill "$pid" 2>/dev/null
    for ((i = 0; i < 120; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    rm -f "$file"
    say "已停止 $1（PID $pid）"
}

stop_all() {
    stop_serving portal
    stop_serving test  # the tests' portal, if an interrupted run left it
    stop_pid solr
    stop_pid redis
    stop_pid mariadb
    stop_pid mail
    if [ -s "$PG_DATA/PG_VERSION" ] && postgres_running; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
        say "已停止 postgres（PID $(cat "$RUN/postgres.pid" 2>/dev/null)）"
    fi
    rm -f "$RUN/postgres.pid"
}

start_services() {
    start_postgres
    start_redis
    start_solr
    start_mariadb
    start_mail
}
