#!/usr/bin/env bash
# Prints the API numbers the plan-language work is measured by, for the tree
# it runs in (pass another checkout's path to measure that one):
#   * per example: non-blank, non-comment lines of Rust per non-blank,
#     non-comment line of the YAML plan it builds, and its `?` and
#     `builder()` counts;
#   * `.trim()` calls in the backends' library code;
#   * string-keyed settings reads (`settings.int("max_connections")`-style)
#     in library code;
#   * plan checks the backends make while rendering.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

code_lines() { grep -cvE '^\s*(//.*)?$' "$@" | awk -F: '{s += $NF} END {print s}'; }
yaml_lines() { cat "$@" | grep -cvE '^\s*(#.*)?$'; }

printf '%-24s %6s %6s %6s %4s %9s\n' example rust yaml ratio '?' 'builder()'
while read -r example yamls; do
  file=examples/$example.rs
  [[ -f $file ]] || continue
  # shellcheck disable=SC2086
  rust=$(code_lines "$file"); yaml=$(yaml_lines $yamls)
  q=$({ grep -oE '\)\?|[A-Za-z0-9_]\?[;,. )]' "$file" || true; } | wc -l)
  b=$({ grep -o 'builder()' "$file" || true; } | wc -l)
  printf '%-24s %6d %6d %6.2f %4d %9d\n' "$example" "$rust" "$yaml" "$(echo "$rust / $yaml" | bc -l)" "$q" "$b"
done <<'LIST'
prod_bill_inquiry tests/plans/fail/seed-001-bill-inquiry-as-written.yaml
dev_product_change tests/plans/fail/seed-000-product-change-as-written.yaml
event_marketing examples/plans/dev-event-marketing.yaml examples/plans/prod-event-marketing.yaml
ha_cluster examples/plans/ha-cluster.yaml
LIST

backends=(crates/sql/src crates/k8s/src crates/azure/src)
echo
count() { { "$@" || true; } | wc -l; }
echo ".trim() calls in backend library code: $(count grep -rn --include=*.rs '\.trim()' "${backends[@]}")"
echo "string-keyed settings reads in library code: $(count grep -rnE --include=*.rs '\.(int|bytes|duration|bool|text|number|is_explicit)\("[a-z_.]+"' crates/core/src crates/sql/src crates/k8s/src crates/azure/src crates/ha/src)"
echo "plan checks at render time: k8s $(count grep -rn --include=*.rs 'Error::plan(' crates/k8s/src)," \
  "azure $(count grep -rnoE --include=*.rs '(^|[^ ]|[^n] )plan_error\(|Error::Plan \{' crates/azure/src)," \
  "sql $(count grep -rnoE --include=*.rs '(^|[^ ]|[^n] )invalid_plan\(|Error::InvalidPlan \{' crates/sql/src)"
echo "source files over 900 lines:"
find crates src examples tests -name '*.rs' -not -path '*/target/*' -exec wc -l {} + |
  awk '$2 != "total" && $1 > 900 {printf "  %5d %s\n", $1, $2}'
