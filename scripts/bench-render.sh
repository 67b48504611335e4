#!/usr/bin/env bash
# Render benchmark: N development services (default 1,000) rendered to
# Kubernetes YAML by pgplan's CLI in one process, and the same objects
# synthesized by cdk8s (`cdk8s synth`, and its library under plain node), in
# the same run; also `pgplan validate` of the N plans, and (with
# --per-process) one `pgplan render` process per plan. Prints wall time, peak
# memory and the ratios the README's performance table shows.
#
# Usage: scripts/bench-render.sh [--per-process] [N]
#
# Each command runs BENCH_RUNS times (default 3); the table shows the run with
# the least wall time, and its CPU time (user + system), which a busy machine
# disturbs less than wall time.
#
# Installs cdk8s (npm: cdk8s-cli, cdk8s, constructs; pinned below) into
# ~/.cache/pgplan/bench/cdk8s once, builds pgplan in release mode, and works in
# a temporary directory it removes afterwards.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
per_process=false
if [[ "${1:-}" == "--per-process" ]]; then
  per_process=true
  shift
fi
services=${1:-1000}
runs=${BENCH_RUNS:-3}

CDK8S_CLI_VERSION=2.207.60
CDK8S_VERSION=2.70.106
CONSTRUCTS_VERSION=10.8.1
cache="${PGPLAN_CACHE:-$HOME/.cache/pgplan}/bench/cdk8s"
spec="cdk8s-cli@$CDK8S_CLI_VERSION cdk8s@$CDK8S_VERSION constructs@$CONSTRUCTS_VERSION"

die() { echo "bench-render: $*" >&2; exit 1; }
command -v npm >/dev/null || die "npm is required (apt-get install npm)"
[[ -x /usr/bin/time ]] || die "GNU time is required for peak memory (apt-get install time)"

if [[ "$(cat "$cache/.pgplan-spec" 2>/dev/null)" != "$spec" ]]; then
  echo "installing $spec into $cache" >&2
  rm -rf "$cache"
  mkdir -p "$cache"
  # shellcheck disable=SC2086
  (cd "$cache" && npm install --no-save --no-package-lock --no-audit --no-fund $spec >npm-install.log 2>&1) ||
    { tail -n 30 "$cache/npm-install.log" >&2; die "npm install failed"; }
  echo "$spec" >"$cache/.pgplan-spec"
fi

cargo build --release -q -p pgplan-cli
pgplan="$repo/target/release/pgplan"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plans"
for ((i = 0; i < services; i++)); do
  name=$(printf 'svc-%04d' "$i")
  sed "s/SERVICE/$name/" scripts/bench/service.yaml.tmpl >"$work/plans/$name.yaml"
done

# One service's objects, as pgplan renders them: cdk8s synthesizes the same.
"$pgplan" render "$work/plans/svc-0000.yaml" --target k8s --out "$work/template" >/dev/null 2>&1
objects=$(grep -c '^kind:' "$work/template/manifests.yaml")
mkdir -p "$work/cdk8s"
cp scripts/bench/cdk8s/main.js scripts/bench/cdk8s/cdk8s.yaml "$work/cdk8s/"
ln -s "$cache/node_modules" "$work/cdk8s/node_modules"
export BENCH_TEMPLATE="$work/template/manifests.yaml" BENCH_SERVICES="$services"

# measure NAME COMMAND...: wall seconds (ms precision), CPU seconds and peak
# KiB of one run into $wall/$cpu/$peak.
measure() {
  local out="$work/time.$1" start end
  shift
  start=$(date +%s%N)
  /usr/bin/time -o "$out" -f '%U %S %M' "$@" >/dev/null 2>"$work/stderr" ||
    { tail -n 20 "$work/stderr" >&2; die "failed: $*"; }
  end=$(date +%s%N)
  wall=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
  read -r user sys peak <"$out"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}

# run KEY COMMAND...: the fastest of $runs runs. Each run writes into a new
# directory (`dist` of cdk8s, `$work/out` of pgplan), moved aside afterwards
# and removed only when the benchmark ends: deleting thousands of files just
# before a run makes the next file creations slow on some file systems (ext4
# without a journal scans the inodes deleted in the last minutes for every
# new one), which would charge a run for the previous one's cleanup.
declare -A walls cpus peaks
run() {
  local key=$1 i
  shift
  walls[$key]=
  for ((i = 0; i < runs; i++)); do
    measure "$key" "$@"
    [[ ! -e dist ]] || mv dist "$work/kept.$key.$i.dist"
    [[ ! -e "$work/out" ]] || mv "$work/out" "$work/kept.$key.$i.out"
    if [[ -z "${walls[$key]}" ]] || awk -v a="$wall" -v b="${walls[$key]}" 'BEGIN { exit !(a < b) }'; then
      walls[$key]=$wall
      cpus[$key]=$cpu
      peaks[$key]=$peak
    fi
  done
}

cd "$work/cdk8s"
run cdk8s_synth ./node_modules/.bin/cdk8s synth
cdk8s_files=$(find "$work/kept.cdk8s_synth.0.dist" -name '*.yaml' | wc -l)
cdk8s_bytes=$(cat "$work/kept.cdk8s_synth.0.dist"/*.yaml | wc -c)
run cdk8s_node node main.js
cd "$work"
run pgplan_render "$pgplan" render plans --target k8s --out "$work/out"
pgplan_bytes=$(find "$work/kept.pgplan_render.0.out" -name '*.yaml' -exec cat {} + | wc -c)
run pgplan_validate "$pgplan" validate plans
if $per_process; then
  cat >"$work/per-process.sh" <<EOF
for f in "$work"/plans/*.yaml; do
  n=\$(basename "\$f" .yaml)
  "$pgplan" render "\$f" --target k8s --out "$work/out/\$n" >/dev/null 2>&1 || exit 1
done
EOF
  run pgplan_per_process bash "$work/per-process.sh"
fi

mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f×", a / b }'; }
row() { # KEY LABEL [BOLD]
  local b=${3:-}
  printf '| %s | %s%s s%s | %s s | %s%s%s |' "$2" "$b" "${walls[$1]}" "$b" "${cpus[$1]}" "$b" "$(mib "${peaks[$1]}")" "$b"
}
echo
echo "$services services × $objects Kubernetes objects (the Namespace shared); $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); best of $runs"
echo "cdk8s wrote $cdk8s_files files ($((cdk8s_bytes / 1000000)) MB); pgplan $((pgplan_bytes / 1000000)) MB"
echo
echo "| tool | wall | CPU | peak RSS | pgplan render is faster by (wall / CPU) |"
echo "|---|---|---|---|---|"
for key in cdk8s_synth cdk8s_node pgplan_per_process; do
  [[ -n "${walls[$key]:-}" ]] || continue
  case $key in
    cdk8s_synth) label='cdk8s CLI (`cdk8s synth`)' ;;
    cdk8s_node) label='cdk8s library (`node main.js`)' ;;
    pgplan_per_process) label='pgplan, one `pgplan render` process per plan' ;;
  esac
  echo "$(row "$key" "$label") $(ratio "${walls[$key]}" "${walls[pgplan_render]}") / $(ratio "${cpus[$key]}" "${cpus[pgplan_render]}") |"
done
echo "$(row pgplan_render '`pgplan render plans/ --target k8s --out out/`' '**') — |"
echo "$(row pgplan_validate '`pgplan validate plans/`') |"
