# The harvester benchmark (make bench-harvest): its own CKAN databases
# (ckan_bench, datastore_bench), config ($BENCH_INI: Solr site_id
# nanjing_bench, Redis db 6, storage-bench) and exchange database
# (exchange_bench), so that it never touches the demo's or the tests'
# catalog. Sourced by scripts/nanjing after lib.sh, services.sh and init.sh;
# needs init_databases first (the exchange roles and their passwords).

BENCH_INI=${NANJING_BENCH_INI:-$LOCAL/bench.ini}
BENCH_REDIS_DB=${NANJING_BENCH_REDIS_DB:-6}
BENCH_CKAN_PORT=${NANJING_BENCH_CKAN_PORT:-5068}
BENCH_EXCHANGE_DB=exchange_bench

# Databases, config and tables of the benchmark; safe to repeat.
ensure_bench() {
    ensure_database ckan_bench
    ensure_database datastore_bench
    write_ini "$BENCH_INI" nanjing_bench ckan_bench datastore_bench "$BENCH_REDIS_DB" \
        "$LOCAL/storage-bench" "$BENCH_CKAN_PORT"
    init_ckan_db "$BENCH_INI" datastore_bench
    # exchange_owner may not create databases (NOCREATEDB): the superuser does.
    [ "$(psql_super -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$BENCH_EXCHANGE_DB'")" = 1 ] \
        || psql_super -d postgres -c "CREATE DATABASE $BENCH_EXCHANGE_DB OWNER exchange_owner ENCODING 'UTF8' TEMPLATE template0" \
        || fail "基准前置库" "无法创建数据库 $BENCH_EXCHANGE_DB" "确认 PostgreSQL 正在运行（make services），然后重新运行"
}

# bench_harvest [ARGS...]: benchmarks/harvest.py on the bench config (after
# ensure_bench); it fills exchange_bench as exchange_owner and
# the source reads it as exchange_reader, with the secrets file's passwords.
bench_harvest() {
    bench_harvest_env "$VENV/bin/python" "$ROOT/benchmarks/harvest.py" --ini "$BENCH_INI" "$@"
}

# bench_harvest_env COMMAND...: runs COMMAND with the bench exchange
# database's name and passwords (bench-harvest, bench-push).
bench_harvest_env() {
    NANJING_BENCH_EXCHANGE_DB=$BENCH_EXCHANGE_DB \
    NANJING_BENCH_OWNER_PASSWORD=$(secret EXCHANGE_OWNER_PASSWORD) \
    NANJING_BENCH_READER_PASSWORD=$(secret EXCHANGE_READER_PASSWORD) \
        "$@"
}

# bench_port_free WHAT: stops with a plain message when $BENCH_CKAN_PORT,
# where the benchmark serves WHAT, is taken.
bench_port_free() {
    port_open "$BENCH_CKAN_PORT" && fail "$1" "端口 $BENCH_CKAN_PORT 已被其他程序占用" \
        "停止占用该端口的程序，或设置 NANJING_BENCH_CKAN_PORT=其他端口"
    return 0
}

# bench_load [ARGS...]: benchmarks/load.py against the demo portal as
# `make demo` serves it, then against `ckan run` (the development server) of
# the same config on $BENCH_CKAN_PORT at the highest concurrency.
bench_load() {
    bench_port_free "基准对比门户"
    nohup "$CKAN" -c "$CKAN_INI" run -H 127.0.0.1 -p "$BENCH_CKAN_PORT" --disable-reloader \
        >"$LOG/bench-ckan-run.log" 2>&1 </dev/null 9>&- &
    echo $! >"$RUN/bench-ckan-run.pid"
    wait_for 90 curl -fs --max-time 5 -o /dev/null "http://127.0.0.1:$BENCH_CKAN_PORT/api/3/action/status_show" \
        || { stop_pid bench-ckan-run; fail "基准对比门户" "ckan run 90 秒内没有响应（详见 $LOG/bench-ckan-run.log）" \
            "按日志中的错误处理后重新运行"; }
    local status=0
    "$VENV/bin/python" "$ROOT/benchmarks/load.py" --url "http://127.0.0.1:$CKAN_PORT" \
        --compare "http://127.0.0.1:$BENCH_CKAN_PORT" "$@" || status=$?
    stop_pid bench-ckan-run >/dev/null
    return $status
}

# run_search_bench NAME SCRIPT [ARGS...]: benchmarks/SCRIPT in its own
# databases (ckan_NAME, datastore_NAME), config ($LOCAL/NAME.ini, Solr core
# NAME, which the script creates and removes) and storage; the databases,
# config and storage are removed again at the end.
run_search_bench() {
    local name=$1 script=$2 db status=0
    shift 2
    local ini=$LOCAL/$name.ini
    for db in "ckan_$name" "datastore_$name"; do ensure_database "$db"; done
    write_ini "$ini" "nanjing_$name" "ckan_$name" "datastore_$name" \
        "$BENCH_REDIS_DB" "$LOCAL/storage-$name" "$BENCH_CKAN_PORT"
    "$CKAN" config-tool "$ini" "solr_url = http://127.0.0.1:$SOLR_PORT/solr/$name" >/dev/null
    init_ckan_db "$ini" "datastore_$name"
    "$VENV/bin/python" "$ROOT/benchmarks/$script" --ini "$ini" \
        --solr "http://127.0.0.1:$SOLR_PORT/solr" --core "$name" "$@" || status=$?
    for db in "ckan_$name" "datastore_$name"; do
        psql_super -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    done
    rm -rf "$LOCAL/storage-$name" "$ini"
    return $status
}

# bench_search [ARGS...]: the relevance set (benchmarks/search.py).
bench_search() {
    run_search_bench bench_search search.py "$@"
}

# bench_search_scale [ARGS...]: package_search at 100,000 datasets
# (benchmarks/search_scale.py), served by gunicorn on $BENCH_CKAN_PORT.
bench_search_scale() {
    bench_port_free "基准门户"
    run_search_bench bench_search_scale search_scale.py --port "$BENCH_CKAN_PORT" \
        --log "$LOG/bench-search-scale.log" "$@"
}
