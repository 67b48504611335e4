#!/usr/bin/env bash
# The project's one test command: installs the external test dependencies,
# then runs formatting, lints, all tests, doc tests and the examples.
# Ends with a line "N passed, N failed" summing every cargo test result.
#
# Environment:
#   PGPLAN_CACHE    cache for PostgreSQL binaries and tools (default: $HOME/.cache/pgplan)
#   PROPTEST_CASES  proptest cases per property (default: 64)
set -euo pipefail

cd "$(dirname "$0")/.."

scripts/install-test-deps.sh

# shellcheck source=/dev/null
source "${PGPLAN_CACHE:-$HOME/.cache/pgplan}/env.sh"
export PATH="$PGPLAN_TOOLS_BIN:$PATH"
export PROPTEST_CASES="${PROPTEST_CASES:-64}"
export RUST_BACKTRACE="${RUST_BACKTRACE:-1}"

log_dir=$(mktemp -d "${TMPDIR:-/tmp}/pgplan-test.XXXXXX")
trap 'rm -rf "$log_dir"' EXIT
test_log="$log_dir/cargo-test.log"
: >"$test_log"

failed_steps=()

# run NAME CMD... : runs a step, echoing its output; records a failure.
run() {
  local name=$1
  shift
  printf '\n==> %s: %s\n' "$name" "$*"
  if ! "$@"; then
    failed_steps+=("$name")
    printf '==> FAILED: %s\n' "$name"
  fi
}

# run_logged NAME CMD... : like run, but also appends the output to the test log.
run_logged() {
  local name=$1
  shift
  printf '\n==> %s: %s\n' "$name" "$*"
  if ! "$@" 2>&1 | tee -a "$test_log"; then
    failed_steps+=("$name")
    printf '==> FAILED: %s\n' "$name"
  fi
}

run fmt cargo fmt --all -- --check
run unused-dependencies cargo machete
# Every feature on its own (a build without `apply`, the facade with one backend).
run features cargo hack check --workspace --each-feature --locked --quiet
run clippy cargo clippy --workspace --all-targets --locked -- -D warnings
run_logged test cargo test --workspace --all-targets --locked --no-fail-fast
run_logged doctest cargo test --workspace --doc --locked --no-fail-fast

shopt -s nullglob
for example in examples/*.rs examples/*/main.rs; do
  if [[ "$example" == */main.rs ]]; then
    name=$(basename "$(dirname "$example")")
  else
    name=$(basename "$example" .rs)
  fi
  [[ "$name" == bench_* ]] && continue
  run "example $name" cargo run --locked --quiet --example "$name"
done
shopt -u nullglob

# Sum "test result: ok. X passed; Y failed; ..." over every test binary.
read -r passed failed < <(
  sed -nE 's/^test result: [A-Za-z]+\. ([0-9]+) passed; ([0-9]+) failed;.*/\1 \2/p' "$test_log" |
    awk '{p += $1; f += $2} END {printf "%d %d\n", p, f}'
)

echo
if ((${#failed_steps[@]})); then
  printf 'failed steps: %s\n' "$(IFS=,; printf '%s' "${failed_steps[*]}")"
else
  printf 'all steps succeeded\n'
fi
printf '%d passed, %d failed\n' "$passed" "$failed"

if ((${#failed_steps[@]})) || ((failed > 0)); then
  exit 1
fi
