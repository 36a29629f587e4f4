# The harvesters in the demo: the demo business systems' secrets in the
# environment, the demo document system (OA) service, ckanext-harvest's
# gather and fetch consumers with a scheduler that finishes jobs (and times
# out stuck ones) under supervisord, and the demo sources registered and run once.
# Sourced by scripts/nanjing after lib.sh, services.sh and init.sh.

OA_PORT=${NANJING_OA_PORT:-8765}

# The processes that read the demo sources need their secrets: the
# exchange database's reader password and the OA system's token.
harvest_env() {
    grep -q "^OA_DEMO_TOKEN=" "$SECRETS" || echo "OA_DEMO_TOKEN=$(openssl rand -hex 16)" >>"$SECRETS"
    export NANJING_EXCHANGE_DEMO_PASSWORD NANJING_OA_DEMO_TOKEN
    NANJING_EXCHANGE_DEMO_PASSWORD=$(secret EXCHANGE_READER_PASSWORD)
    NANJING_OA_DEMO_TOKEN=$(secret OA_DEMO_TOKEN)
}

oa_ready() {
    curl -fs --max-time 5 -o /dev/null -H "Authorization: Bearer $NANJING_OA_DEMO_TOKEN" \
        "http://127.0.0.1:$OA_PORT/api"
}

start_oa_service() {
    if pid_alive "$RUN/oa.pid" && oa_ready; then return 0; fi
    port_open "$OA_PORT" && fail "演示公文系统" "端口 $OA_PORT 已被其他程序占用" \
        "停止占用该端口的程序，或设置 NANJING_OA_PORT=其他端口"
    say "启动演示公文系统接口 http://127.0.0.1:$OA_PORT/api"
    nohup "$VENV/bin/python" -m ckanext.nanjing_harvest.fixtures_server --port "$OA_PORT" \
        --folder "$ROOT/harvesters/fixtures/document_api" --token "$NANJING_OA_DEMO_TOKEN" \
        >"$LOG/oa.log" 2>&1 </dev/null 9>&- &
    echo $! >"$RUN/oa.pid"
    wait_for 20 oa_ready || { stop_pid oa; fail "演示公文系统" "20 秒内没有响应（详见 $LOG/oa.log）" \
        "按日志中的错误处理后重新运行"; }
}

# The gather and fetch consumers and the minute scheduler run under the
# portal's supervisord (start_ckan workers in scripts/services.sh).
stop_harvest() {
    stop_pid oa
}

# The demo sources (harvesters/demo_sources/): registered, or updated, and
# run once each; a re-run finds nothing changed.
run_demo_harvests() {
    say "登记演示采集源并各采集一次（前置库、公文系统、文件投递、区级目录、省级 DCAT 目录）"
    ckan_quiet -c "$CKAN_INI" nanjing-harvest demo-sources "$ROOT/harvesters/demo_sources" \
        --var "ROOT=$ROOT" --var "PG_PORT=$PG_PORT" --var "OA_PORT=$OA_PORT" \
        --var "DISTRICT_PORT=$DISTRICT_PORT" --var "PROVINCE_PORT=$PROVINCE_PORT" \
        || fail "演示采集" "有采集源未能完整采集" "按上面列出的错误处理后重新运行"
}
