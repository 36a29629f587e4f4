# Installs what is missing: Debian packages, the Python venv, the Solr jars.
# Sourced by scripts/nanjing after lib.sh.

# libpango*, fonts-noto-cjk: WeasyPrint prints the requests' letters with Chinese fonts.
# nginx: in front of gunicorn, run as the user of the scripts (its own config in .local).
APT_PACKAGES=(postgresql-15 redis-server libpq-dev libmagic1 libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk nginx)
# MariaDB only for the tests: the demo exchange database is PostgreSQL.
APT_TEST_PACKAGES=(chromium mariadb-server mariadb-client)

install_apt() {
    local wanted=("${APT_PACKAGES[@]}") missing=() pkg
    [ "${1:-}" = test ] && wanted+=("${APT_TEST_PACKAGES[@]}")
    # Any Java 17+ and Maven already on the machine will do.
    command -v "$JAVA" >/dev/null 2>&1 || wanted+=(openjdk-17-jdk-headless)
    command -v "$MVN" >/dev/null 2>&1 || wanted+=(maven)
    # Any Node with npm will do for the front-end libraries (config/frontend).
    command -v npm >/dev/null 2>&1 || wanted+=(nodejs npm)
    for pkg in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} = 0 ] && return 0
    say "安装系统软件包：${missing[*]}"
    is_root || fail "系统软件包" "缺少 ${missing[*]}，安装需要 root 权限" \
        "以 root 运行，或先执行 sudo apt-get install -y ${missing[*]}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$LOG/apt.log" 2>&1 \
        || fail "系统软件包" "apt-get 安装 ${missing[*]} 失败（详见 $LOG/apt.log）" \
            "检查 Debian 软件源是否可达，然后重新运行"
}

pick_python() {
    local candidate
    for candidate in "${NANJING_PYTHON:-}" python3.11 python3.12 python3.10 python3; do
        [ -n "$candidate" ] && command -v "$candidate" >/dev/null || continue
        "$candidate" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' \
            && { echo "$candidate"; return 0; }
    done
    return 1
}

install_venv() {
    local stamp hash python
    hash=$(inputs_hash "$ROOT/requirements.txt" "$ROOT/requirements-test.txt" "$ROOT/setup.py")
    stamp=$VENV/.installed-$hash
    [ -f "$stamp" ] && return 0
    python=$(pick_python) || fail "Python" "找不到 Python 3.10–3.12（CKAN 2.12 的要求）" \
        "安装 python3.11 与 python3.11-venv，或设置 NANJING_PYTHON 指向合适的解释器"
    # A venv whose creation was interrupted has no working pip: make it anew.
    "$VENV/bin/python" -m pip --version >/dev/null 2>&1 || rm -rf "$VENV"
    if [ ! -x "$VENV/bin/python" ]; then
        say "创建虚拟环境 $VENV"
        "$python" -m venv "$VENV" || fail "Python" "无法创建虚拟环境" "安装 python3-venv 后重新运行"
    fi
    say "安装 CKAN 2.12 与扩展（pip，首次约 1–2 分钟）"
    { "$VENV/bin/pip" install -q -U pip setuptools wheel \
        && "$VENV/bin/pip" install -q -r "$ROOT/requirements.txt" -r "$ROOT/requirements-test.txt" \
        && "$VENV/bin/pip" install -q --no-deps -e "$ROOT"; } >"$LOG/pip.log" 2>&1 \
        || fail "Python 依赖" "pip 安装失败（详见 $LOG/pip.log）" "检查 PyPI 是否可达，然后重新运行"
    rm -f "$VENV"/.installed-*
    touch "$stamp"
}

compile_translations() {
    local po
    for po in "$ROOT"/ckanext-nanjing/ckanext/nanjing/i18n/*/LC_MESSAGES/*.po; do
        [ -f "$po" ] || continue
        [ "${po%.po}.mo" -nt "$po" ] && continue
        "$VENV/bin/pybabel" -q compile -i "$po" -o "${po%.po}.mo" \
            || fail "翻译" "编译 $po 失败" "修正该 .po 文件中的语法错误"
    done
}

check_java() {
    local version
    command -v "$JAVA" >/dev/null 2>&1 || fail "Solr（Java）" "找不到 Java 程序 $JAVA" \
        "安装 openjdk-17-jdk-headless，或设置 NANJING_JAVA 指向 Java 17+ 的 java"
    version=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
    [ "${version:-0}" -ge 17 ] 2>/dev/null || fail "Solr（Java）" "Java 版本为 ${version:-未知}，Solr 9 需要 17 或更高" \
        "安装 openjdk-17-jdk-headless，或设置 NANJING_JAVA"
}

install_solr_jars() {  # [POM]
    local pom=${1:-$ROOT/config/solr/pom.xml} hash
    hash=$(inputs_hash "$pom")
    [ -f "$SOLR_LIB/.pom-$hash" ] && return 0
    command -v "$MVN" >/dev/null 2>&1 || fail "Solr（Maven）" "找不到 Maven 程序 $MVN" \
        "安装 maven，或设置 NANJING_MVN"
    say "从 Maven Central 下载 Solr 9.10.1（首次约 100 MB）"
    rm -rf "$SOLR_LIB.partial"
    "$MVN" -B -q -f "$pom" \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
        -DoutputDirectory="$SOLR_LIB.partial" -DincludeScope=runtime >"$LOG/maven.log" 2>&1 \
        || fail "Solr（Maven）" "无法从 Maven Central 下载 Solr 的 jar（详见 $LOG/maven.log）" \
            "检查 Maven Central 是否可达（代理在 ~/.m2/settings.xml 中配置），然后重新运行"
    # Swap in whole, so an interrupted download never looks complete.
    rm -rf "$SOLR_LIB"
    mv "$SOLR_LIB.partial" "$SOLR_LIB"
    touch "$SOLR_LIB/.pom-$hash"
}

# ECharts and any other front-end library come from npm at the versions of
# config/frontend/package-lock.json and are copied into the extension's
# assets, where CKAN's webassets bundle them (ignored by git). axe-core stays
# in .local/npm: the browser tests inject it into the pages they check.
FRONTEND_VENDOR=$ROOT/ckanext-nanjing/ckanext/nanjing/supervision/assets/vendor
API_DOCS_VENDOR=$ROOT/ckanext-nanjing/ckanext/nanjing/feeds/assets/vendor
install_frontend() {
    local stamp hash
    hash=$(inputs_hash "$ROOT/config/frontend/package.json" "$ROOT/config/frontend/package-lock.json")
    stamp=$FRONTEND_VENDOR/.installed-$hash
    [ -f "$stamp" ] && return 0
    say "安装前端库（npm：ECharts、Swagger UI；测试用 axe-core）"
    mkdir -p "$LOCAL/npm" "$FRONTEND_VENDOR" "$API_DOCS_VENDOR"
    cp "$ROOT/config/frontend/package.json" "$ROOT/config/frontend/package-lock.json" "$LOCAL/npm/"
    # --ignore-scripts: nothing here needs building, and swagger-ui-dist's
    # @scarf/scarf would report the install over the network.
    (cd "$LOCAL/npm" && npm ci --no-audit --no-fund --ignore-scripts) >"$LOG/npm.log" 2>&1 \
        || fail "前端库" "npm 安装失败（详见 $LOG/npm.log）" "检查 npm 源是否可达，然后重新运行"
    cp "$LOCAL/npm/node_modules/echarts/dist/echarts.common.min.js" "$FRONTEND_VENDOR/echarts.min.js"
    cp "$LOCAL/npm/node_modules/echarts/LICENSE" "$FRONTEND_VENDOR/ECHARTS-LICENSE"
    cp "$LOCAL/npm/node_modules/swagger-ui-dist/swagger-ui-bundle.js" \
        "$LOCAL/npm/node_modules/swagger-ui-dist/swagger-ui.css" "$API_DOCS_VENDOR/"
    cp "$LOCAL/npm/node_modules/swagger-ui-dist/LICENSE" "$API_DOCS_VENDOR/SWAGGER-UI-LICENSE"
    rm -f "$FRONTEND_VENDOR"/.installed-*
    touch "$stamp"
}

install_all() {
    install_apt "$@"
    install_venv
    install_frontend
    compile_translations
    check_java
    install_solr_jars
}
