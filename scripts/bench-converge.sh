#!/usr/bin/env bash
# Converge benchmark: 1,000 login roles with 11 grants each on a real
# PostgreSQL, by pgplan and by ldap2pg in the same run (first converge and
# re-apply; see crates/cli/examples/bench_converge_vs_ldap2pg.rs). Prints the
# table the README's performance section shows.
#
# Usage: scripts/bench-converge.sh [MAJOR]     (default 17)
#
# Installs ldap2pg (PyPI, pinned below, with psycopg2-binary; python-ldap
# builds against Debian's libldap2-dev/libsasl2-dev) into
# ~/.cache/pgplan/venv/ldap2pg once; the PostgreSQL servers come from
# scripts/install-test-deps.sh.
set -euo pipefail

cd "$(dirname "$0")/.."
major=${1:-17}
LDAP2PG_SPEC="ldap2pg==5.9 psycopg2-binary==2.9.13"
cache="${PGPLAN_CACHE:-$HOME/.cache/pgplan}"
venv="$cache/venv/ldap2pg"

die() { echo "bench-converge: $*" >&2; exit 1; }

scripts/install-test-deps.sh >/dev/null
# shellcheck source=/dev/null
source "$cache/env.sh"

if [[ "$(cat "$venv/.pgplan-spec" 2>/dev/null)" != "$LDAP2PG_SPEC" ]]; then
  echo "installing $LDAP2PG_SPEC into $venv" >&2
  if ! dpkg -s libldap2-dev libsasl2-dev >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] || die "python-ldap needs libldap2-dev and libsasl2-dev (apt-get install them)"
    apt-get install -y -q libldap2-dev libsasl2-dev >/dev/null
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --disable-pip-version-check -q $LDAP2PG_SPEC ||
    die "pip install $LDAP2PG_SPEC failed"
  echo "$LDAP2PG_SPEC" >"$venv/.pgplan-spec"
fi

cargo build --release -q -p pgplan-cli --example bench_converge_vs_ldap2pg
cargo build --release -q -p pgplan-cli --bin pgplan
target/release/examples/bench_converge_vs_ldap2pg \
  --pgplan target/release/pgplan --ldap2pg "$venv/bin/ldap2pg" --major "$major"
