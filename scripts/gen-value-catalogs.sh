#!/usr/bin/env bash
# Regenerates crates/core/catalog/timezones.tsv and libraries.tsv: the time
# zone names (pg_timezone_names) and the loadable libraries (the .so files of
# PKGLIBDIR) of real, throwaway PostgreSQL servers of every supported major,
# plus the well-known third-party extension libraries listed below.
#
# Usage: scripts/gen-value-catalogs.sh
set -euo pipefail

cd "$(dirname "$0")/.."
out_dir="$(pwd)/crates/core/catalog"
majors=(14 15 16 17 18)

scripts/install-test-deps.sh >/dev/null
# shellcheck source=/dev/null
source "${PGPLAN_CACHE:-$HOME/.cache/pgplan}/env.sh"

TEST_USER=pgplan-test
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  as_pg=(runuser -u "$TEST_USER" --)
fi
psql_bin="$PGPLAN_PG15_BIN/psql"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

work=$(mktemp -d "${TMPDIR:-/tmp}/pgplan-values.XXXXXX")
chmod 755 "$work"
cleanup() {
  local d
  for d in "$work"/*/; do
    [[ -f "$d/data/postmaster.pid" ]] &&
      "${as_pg[@]}" "$(cat "$d/pg_ctl")" -D "$d/data" stop -m immediate >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

for major in "${majors[@]}"; do
  var="PGPLAN_PG${major}_BIN"
  bin="${!var:-}"
  [[ -n "$bin" && -x "$bin/postgres" ]] ||
    { echo "PostgreSQL $major binaries not found in ${bin:-<unset>} (set $var or run scripts/install-test-deps.sh)" >&2; exit 1; }
  tmp="$work/$major"
  mkdir -p "$tmp"
  echo "$bin/pg_ctl" >"$tmp/pg_ctl"
  chmod 755 "$tmp"
  if ((${#as_pg[@]})); then chown "$TEST_USER:" "$tmp"; fi
  "${as_pg[@]}" "$bin/initdb" -D "$tmp/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log" >&2; exit 1; }
  port=$(free_port)
  (cd "$tmp" && "${as_pg[@]}" "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$tmp -c logging_collector=off" \
    start >/dev/null) || { cat "$tmp/server.log" >&2; exit 1; }
  psql=("$psql_bin" -X -q -A -t -v ON_ERROR_STOP=1 -h "$tmp" -p "$port" -U postgres -d postgres)
  "${psql[@]}" -c 'SELECT name FROM pg_timezone_names ORDER BY name COLLATE "C"' >"$work/tz-$major"
  "${psql[@]}" -c "SELECT regexp_replace(f, '\\.so\$', '') FROM pg_ls_dir((SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR')) AS f WHERE f LIKE '%.so' ORDER BY 1" >"$work/lib-$major"
  echo "PostgreSQL $("${psql[@]}" -c 'SHOW server_version'): $(wc -l <"$work/tz-$major") time zones, $(wc -l <"$work/lib-$major") libraries"
  "${as_pg[@]}" "$bin/pg_ctl" -D "$tmp/data" stop -m fast -w >/dev/null
done

# name<TAB>majors (comma separated), for every name any server listed.
merge() {
  local prefix=$1
  for major in "${majors[@]}"; do
    sed "s/\$/\t$major/" "$work/$prefix-$major"
  done | LC_ALL=C sort -t$'\t' -k1,1 -k2,2n |
    awk -F'\t' -v OFS='\t' '
      $1 != name { if (name != "") print name, majors; name = $1; majors = $2; next }
      { majors = majors "," $2 }
      END { if (name != "") print name, majors }'
}

{
  printf 'name\tmajors\n'
  merge tz
} >"$out_dir/timezones.tsv"

# Third-party extensions whose library is loaded through
# shared_preload_libraries (each project's install documentation): not in
# PostgreSQL's own build, so they must be in the server's image.
extensions=(
  age anon auto_explain citus pg_cron pg_duckdb pg_failover_slots pg_hint_plan
  pg_net pg_partman_bgw pg_qualstats pg_show_plans pg_squeeze pg_stat_kcache
  pg_stat_monitor pg_store_plans pg_tle pg_wait_sampling pgaudit pglogical
  pgsentinel pgsodium plprofiler postgis-3 powa set_user supautils timescaledb
)
{
  printf 'name\tmajors\tsource\n'
  {
    merge lib | sed 's/$/\tpostgresql/'
    for e in "${extensions[@]}"; do
      # A contrib module of the same name (auto_explain) is PostgreSQL's own.
      grep -qx "$e" "$work"/lib-* 2>/dev/null || printf '%s\t\textension\n' "$e"
    done
  } | LC_ALL=C sort -t$'\t' -k1,1
} >"$out_dir/libraries.tsv"

echo "timezones.tsv: $(($(wc -l <"$out_dir/timezones.tsv") - 1)) names; libraries.tsv: $(($(wc -l <"$out_dir/libraries.tsv") - 1)) libraries"
