# The demo district portal (玄武区): a second CKAN process of this same
# platform, with its own databases, config, storage and Solr site_id, whose
# catalog the city portal aggregates with ckanext-harvest's CKAN harvester
# (harvesters/demo_sources/). And the demo provincial DCAT catalog (江苏省),
# static files served over HTTP, for ckanext-dcat's DCAT harvester.
# Sourced by scripts/nanjing after lib.sh, services.sh and init.sh.

DISTRICT_PORT=${NANJING_DISTRICT_PORT:-5070}
DISTRICT_INI=${NANJING_DISTRICT_INI:-$LOCAL/district.ini}
DISTRICT_REDIS_DB=${NANJING_DISTRICT_REDIS_DB:-2}
DISTRICT_CATALOG=$ROOT/datasets/district-xuanwu
PROVINCE_PORT=${NANJING_PROVINCE_PORT:-8766}
PROVINCE_FOLDER=$ROOT/harvesters/fixtures/dcat_province

# write_district_ini FILE SITE_ID CKAN_DB DATASTORE_DB REDIS_DB STORAGE PORT:
# the city's config (write_ini) with the district's own title and reviewers.
write_district_ini() {
    write_ini "$@"
    "$CKAN" config-tool "$1" \
        "ckan.site_title = 南京市玄武区政务公开与数据开放平台" \
        "ckan.site_description = 玄武区政务公开事项目录与政府数据开放（区级门户）" \
        "ckanext.nanjing.review_organization = xuanwu-zfb" \
        "ckanext.nanjing.demo_user = xuanwu_admin" >/dev/null \
        || fail "区级门户配置" "无法写入 $1" "删除 $1 后重新运行"
}

# init_district INI SITE_ID CKAN_DB DATASTORE_DB REDIS_DB STORAGE PORT:
# databases, config and tables of a district portal; safe to repeat.
init_district() {
    ensure_database "$3"
    ensure_database "$4"
    write_district_ini "$@"
    init_ckan_db "$1" "$4"
}

# The demo district: databases ckan_district/datastore_district, $DISTRICT_INI.
ensure_district() {
    init_district "$DISTRICT_INI" nanjing_district ckan_district datastore_district \
        "$DISTRICT_REDIS_DB" "$LOCAL/storage-district" "$DISTRICT_PORT"
}

district_ready() { curl -fs --max-time 5 -o /dev/null "http://127.0.0.1:$DISTRICT_PORT/api/3/action/status_show"; }

start_district() {
    if pid_alive "$RUN/district.pid" && district_ready; then return 0; fi
    port_open "$DISTRICT_PORT" && fail "区级门户" "端口 $DISTRICT_PORT 已被其他程序占用" \
        "停止占用该端口的程序，或设置 NANJING_DISTRICT_PORT=其他端口"
    say "启动玄武区门户 http://127.0.0.1:$DISTRICT_PORT"
    nohup "$CKAN" -c "$DISTRICT_INI" run -H 127.0.0.1 -p "$DISTRICT_PORT" --disable-reloader \
        >"$LOG/district.log" 2>&1 </dev/null 9>&- &
    echo $! >"$RUN/district.pid"
    wait_for 90 district_ready || { stop_pid district; fail "区级门户" \
        "90 秒内没有响应（详见 $LOG/district.log）" "按日志中的错误处理后重新运行"; }
}

stop_district() { stop_pid district; }

# The district's demo catalog, loaded and validated like the city's.
load_district_demo() {
    say "载入玄武区演示目录 datasets/district-xuanwu/"
    ckan_quiet -c "$DISTRICT_INI" nanjing load "$DISTRICT_CATALOG" \
        || fail "区级演示目录" "载入 datasets/district-xuanwu/ 失败" "按上面的错误修正数据文件后重新运行"
    ckan_quiet -c "$DISTRICT_INI" nanjing validate \
        || fail "区级数据校验" "玄武区演示目录中有表格资源未通过校验" \
            "按上面列出的资源修正 datasets/district-xuanwu/ 中的文件后重新运行"
    ckan_quiet -c "$DISTRICT_INI" search-index rebuild --only-missing --quiet >/dev/null \
        || fail "Solr 搜索服务" "重建区级门户的索引失败" "运行 ckan -c $DISTRICT_INI nanjing doctor 查看原因"
}

province_ready() { curl -fs --max-time 5 -o /dev/null "http://127.0.0.1:$PROVINCE_PORT/catalog.ttl"; }

# The provincial catalog: catalog.ttl and its CSV files, served as they are.
start_province() {
    if pid_alive "$RUN/province.pid" && province_ready; then return 0; fi
    port_open "$PROVINCE_PORT" && fail "省级 DCAT 目录" "端口 $PROVINCE_PORT 已被其他程序占用" \
        "停止占用该端口的程序，或设置 NANJING_PROVINCE_PORT=其他端口"
    say "启动江苏省演示 DCAT 目录 http://127.0.0.1:$PROVINCE_PORT/catalog.ttl"
    nohup "$VENV/bin/python" -m http.server "$PROVINCE_PORT" --bind 127.0.0.1 \
        --directory "$PROVINCE_FOLDER" >"$LOG/province.log" 2>&1 </dev/null 9>&- &
    echo $! >"$RUN/province.pid"
    wait_for 20 province_ready || { stop_pid province; fail "省级 DCAT 目录" \
        "20 秒内没有响应（详见 $LOG/province.log）" "按日志中的错误处理后重新运行"; }
}

stop_province() { stop_pid province; }
