# Creates or repairs the databases, the CKAN config files, the sysadmin and the
# demo catalog. Every step is safe to repeat. Sourced by scripts/nanjing.

ensure_secrets() {
    [ -s "$SECRETS" ] && return 0
    umask 077
    {
        echo "CKAN_DB_PASSWORD=$(openssl rand -hex 16)"
        echo "DATASTORE_RO_PASSWORD=$(openssl rand -hex 16)"
        echo "ADMIN_PASSWORD=$(openssl rand -hex 12)"
    } >"$SECRETS.partial"
    mv "$SECRETS.partial" "$SECRETS"
}

ensure_role() {  # NAME PASSWORD (hex only, so safe to inline)
    psql_super -d postgres -c "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$1') THEN
            CREATE ROLE $1 LOGIN;
        END IF;
        ALTER ROLE $1 WITH LOGIN PASSWORD '$2' NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END \$\$;"
}

ensure_database() {  # NAME
    [ "$(psql_super -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ] && return 0
    psql_super -d postgres -c "CREATE DATABASE $1 OWNER ckan_default ENCODING 'UTF8' TEMPLATE template0"
}

# API tokens are JWTs signed with HS256, which needs a key of at least 32
# bytes (RFC 7518 3.2); CKAN's default signs them with SECRET_KEY (27).
ensure_token_secret() {
    grep -q "^API_TOKEN_SECRET=" "$SECRETS" || echo "API_TOKEN_SECRET=$(openssl rand -hex 32)" >>"$SECRETS"
}

ensure_databases() {
    ensure_secrets
    ensure_token_secret
    ensure_role ckan_default "$(secret CKAN_DB_PASSWORD)"
    ensure_role datastore_ro "$(secret DATASTORE_RO_PASSWORD)"
    local db
    for db in ckan_default datastore_default ckan_test datastore_test; do
        ensure_database "$db"
    done
}

# write_ini FILE SITE_ID CKAN_DB DATASTORE_DB REDIS_DB STORAGE PORT [SERVE_NAME]
# (SERVE_NAME: the name its nginx runs under, whose access log counts 浏览量;
# default the file's name)
write_ini() {
    local ini=$1 options=$1.options
    mkdir -p "$6"
    sed -e "s|@CKAN_PORT@|$7|g" -e "s|@PG_PORT@|$PG_PORT|g" \
        -e "s|@SOLR_PORT@|$SOLR_PORT|g" -e "s|@REDIS_PORT@|$REDIS_PORT|g" \
        -e "s|@MAIL_PORT@|$MAIL_PORT|g" -e "s|@SITE_ID@|$2|g" -e "s|@CKAN_DB@|$3|g" -e "s|@DATASTORE_DB@|$4|g" \
        -e "s|@REDIS_DB@|$5|g" -e "s|@STORAGE_PATH@|$6|g" -e "s|@ROOT@|$ROOT|g" \
        -e "s|@LOG_DIR@|$LOG|g" -e "s|@SERVE_NAME@|${8:-$(basename "$ini" .ini)}|g" \
        -e "s|@CKAN_DB_PASSWORD@|$(secret CKAN_DB_PASSWORD)|g" \
        -e "s|@DATASTORE_RO_PASSWORD@|$(secret DATASTORE_RO_PASSWORD)|g" \
        -e "s|@API_TOKEN_SECRET@|$(secret API_TOKEN_SECRET)|g" \
        "$ROOT/config/ckan.ini.in" >"$options"
    local old_key=""
    [ -s "$ini" ] && old_key=$(grep -E "^api_token\.jwt\.encode\.secret" "$ini" || true)
    if [ ! -s "$ini" ]; then
        "$CKAN" generate config "$ini.partial" >/dev/null && mv "$ini.partial" "$ini" \
            || fail "CKAN 配置" "无法生成 $ini" "删除 $ini 后重新运行"
    fi
    "$CKAN" config-tool "$ini" -f "$options" >/dev/null \
        || fail "CKAN 配置" "无法写入 $ini" "删除 $ini 后重新运行"
    rm -f "$options"
    chmod 600 "$ini"
    if [ -n "$old_key" ] && [ "$old_key" != "$(grep -E "^api_token\.jwt\.encode\.secret" "$ini")" ]; then
        say "API 令牌的签名密钥已换为 32 字节的随机密钥（$(basename "$ini")）：此前签发的 API 令牌不再有效，请各用户在“API 令牌”页重新生成；系统管理员 nanjing_admin 的令牌会自动重新签发"
    fi
}

write_configs() {
    write_ini "$CKAN_INI" nanjing ckan_default datastore_default 0 "$LOCAL/storage" "$CKAN_PORT" portal
    # The browser tests serve the test portal at this address.
    write_ini "$TEST_INI" nanjing_test ckan_test datastore_test 1 "$LOCAL/storage-test" "$TEST_CKAN_PORT" test
}

init_ckan_db() {  # INI DATASTORE_DB
    # `db upgrade` creates the tables on an empty database and applies the
    # plugins' migrations (activity, harvest) too.
    "$CKAN" -c "$1" db upgrade >"$LOG/db-init.log" 2>&1 \
        || fail "CKAN 数据库" "初始化 $(basename "$1") 的数据库失败（详见 $LOG/db-init.log）" \
            "确认 PostgreSQL 正在运行（make services），然后重新运行"
    "$CKAN" -c "$1" datastore set-permissions 2>/dev/null | psql_super -d "$2" >/dev/null \
        || fail "DataStore" "设置 $2 的只读权限失败" "确认 PostgreSQL 正在运行，然后重新运行"
}

# The demo business systems' exchange database (前置库) for the harvesters:
# databases exchange_demo (the fixture, reloaded only when it changed) and
# exchange_test (the tests load it), owned by exchange_owner; the platform
# reads them as exchange_reader. Passwords are added to the secrets file.
ensure_exchange_databases() {
    local fixture=$ROOT/harvesters/fixtures/exchange_db.sql key db loaded
    for key in EXCHANGE_OWNER_PASSWORD EXCHANGE_READER_PASSWORD; do
        grep -q "^$key=" "$SECRETS" || echo "$key=$(openssl rand -hex 16)" >>"$SECRETS"
    done
    ensure_role exchange_owner "$(secret EXCHANGE_OWNER_PASSWORD)"
    ensure_role exchange_reader "$(secret EXCHANGE_READER_PASSWORD)"
    for db in exchange_demo exchange_test; do
        [ "$(psql_super -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" = 1 ] \
            || psql_super -d postgres -c "CREATE DATABASE $db OWNER exchange_owner ENCODING 'UTF8' TEMPLATE template0"
    done
    loaded="fixture $(inputs_hash "$fixture")"
    [ "$(psql_super -d postgres -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'exchange_demo'")" = "$loaded" ] \
        && return 0
    say "载入前置库演示数据 exchange_demo"
    psql_super -d exchange_demo -c "SET ROLE exchange_owner" -f "$fixture" >/dev/null \
        && psql_super -d postgres -c "COMMENT ON DATABASE exchange_demo IS '$loaded'" \
        || fail "前置库演示数据" "无法把 $fixture 载入数据库 exchange_demo" "按上面的错误修正该文件后重新运行"
}

# The same exchange database on MariaDB, for the harvester's tests: database
# exchange_test, written by exchange_owner, read by exchange_reader (SELECT
# only), with the PostgreSQL roles' passwords. Skipped where MariaDB is not
# installed (only `make test` installs it).
ensure_exchange_mariadb() {
    [ -x "$MARIADBD" ] || return 0
    mariadb_super -e "
        CREATE DATABASE IF NOT EXISTS exchange_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        CREATE USER IF NOT EXISTS 'exchange_owner'@'%';
        ALTER USER 'exchange_owner'@'%' IDENTIFIED BY '$(secret EXCHANGE_OWNER_PASSWORD)';
        GRANT ALL PRIVILEGES ON exchange_test.* TO 'exchange_owner'@'%';
        CREATE USER IF NOT EXISTS 'exchange_reader'@'%';
        ALTER USER 'exchange_reader'@'%' IDENTIFIED BY '$(secret EXCHANGE_READER_PASSWORD)';
        GRANT SELECT, SHOW VIEW ON exchange_test.* TO 'exchange_reader'@'%';" \
        || fail "MariaDB 前置库" "无法在 MariaDB 中创建数据库 exchange_test 及其账号" \
            "确认 MariaDB 正在运行（make test 会启动它），然后重新运行"
}

init_databases() {
    ensure_databases
    write_configs
    init_ckan_db "$CKAN_INI" datastore_default
    init_ckan_db "$TEST_INI" datastore_test
    ensure_exchange_databases
    ensure_exchange_mariadb
}

ensure_admin() {
    NANJING_ADMIN_PASSWORD=$(secret ADMIN_PASSWORD) \
        ckan_quiet -c "$CKAN_INI" nanjing ensure-admin nanjing_admin --token-file "$LOCAL/admin-token" \
        || fail "系统管理员" "无法创建或更新系统管理员 nanjing_admin" "查看上面的错误后重新运行"
}

load_demo() {
    say "载入演示目录 datasets/"
    ckan_quiet -c "$CKAN_INI" nanjing load "$ROOT/datasets" \
        || fail "演示目录" "载入 datasets/ 失败" "按上面的错误修正数据文件后重新运行"
    say "校验表格资源并载入 DataStore"
    ckan_quiet -c "$CKAN_INI" nanjing validate \
        || fail "数据校验" "演示目录中有表格资源未通过校验" "按上面列出的资源修正 datasets/ 中的文件后重新运行"
    # The index may be new (its data folder was removed) while the database is not.
    ckan_quiet -c "$CKAN_INI" search-index rebuild --only-missing --quiet >/dev/null \
        || fail "Solr 搜索服务" "重建索引失败" "运行 ckan -c $CKAN_INI nanjing doctor 查看原因"
    say "载入依申请公开演示申请"
    ckan_quiet -c "$CKAN_INI" nanjing-requests demo \
        || fail "依申请公开演示申请" "载入演示申请失败" "按上面的错误处理后重新运行 make demo"
    say "载入有条件开放数据演示申请"
    ckan_quiet -c "$CKAN_INI" nanjing-access demo \
        || fail "有条件开放演示申请" "载入演示申请失败" "按上面的错误处理后重新运行 make demo"
    say "载入互动交流演示留言"
    ckan_quiet -c "$CKAN_INI" nanjing-interaction demo \
        || fail "互动交流演示留言" "载入演示留言失败" "按上面的错误处理后重新运行 make demo"
    say "登记变更记录"
    ckan_quiet -c "$CKAN_INI" nanjing-feeds seed \
        || fail "变更记录" "登记已公开的记录失败" "按上面的错误处理后重新运行 make demo"
    say "计算监督考核指标"
    ckan_quiet -c "$CKAN_INI" nanjing supervise \
        || fail "监督考核" "计算监督考核指标失败" "按上面的错误处理后重新运行 make demo"
}
