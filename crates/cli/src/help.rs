//! The examples each command's `--help` ends with.

pub const MAIN: &str = "\
Examples:
  pgplan validate examples/plans/prod-bill-inquiry.yaml
  pgplan render plan.yaml --target k8s --out out/k8s
  pgplan doc plan.yaml --lang ko --out plan.ko.md
  pgplan compare dev.yaml prod.yaml
  pgplan COMMAND --help   (every command's help ends with examples)

Exit codes:
  0  success: the plan has no errors; rendered, diffed or applied
  1  the plan has errors (validation findings of severity error)
  2  the input could not be read: a missing, unreadable or too large file,
     a file that is not a plan, a bad argument, an unknown rule id
  3  the target failed: the server, cluster or Azure could not be reached or
     refused the login, a change failed (rolled back), another apply held the
     lock too long, or the output directory could not be written
  4  held back: roles, databases or schemas pgplan does not manage are in
     the way (left alone; --adopt takes them over), or files pgplan did not
     write would be overwritten (nothing written; --force)

Passwords for the connection come from the DSN, PGPASSWORD, PGPASSFILE
(~/.pgpass) or --password-stdin, never from a command-line argument of
their own. Everything printed escapes control and bidi characters, and
never shows a secret.";

pub const VALIDATE: &str = "\
Examples:
  pgplan validate examples/plans/prod-bill-inquiry.yaml
  pgplan validate plan.yaml --output json | jq '.[] | select(.severity == \"error\")'
  pgplan validate plans/ dev.yaml   (several plans, one summary line)";

pub const EXPLAIN: &str = "\
Examples:
  pgplan explain PGP001
  pgplan explain connection-budget
  pgplan explain --list";

pub const SETTINGS: &str = "\
Examples:
  pgplan settings examples/plans/dev-product-change.yaml
  pgplan settings plan.yaml --output json
  pgplan settings plans/";

pub const RENDER: &str = "\
Examples:
  pgplan render examples/plans/dev-product-change.yaml --target k8s --out out/k8s
  pgplan render plan.yaml --target sql --out out/sql
  pgplan render plans/ --target all --out out/   (one subdirectory per plan)";

pub const DIFF: &str = "\
Examples:
  pgplan diff plan.yaml --dsn postgresql://admin@127.0.0.1:5432/postgres
  PGPLAN_DSN='postgresql://admin@db.example.com/postgres?sslmode=verify-full' pgplan diff plan.yaml
  pgplan diff plans/ --dsn postgresql://admin@127.0.0.1:5432/postgres --verbose";

pub const APPLY: &str = "\
Examples:
  pgplan apply plan.yaml --target sql --dsn postgresql://admin@127.0.0.1:5432/postgres --yes
  pgplan apply plan.yaml --target k8s --dry-run
  pgplan apply plan.yaml --target azure --dry-run
  pgplan apply plans/ --target sql --dsn postgresql://admin@127.0.0.1:5432/postgres --yes --output json";

pub const DOC: &str = "\
Examples:
  pgplan doc examples/plans/prod-bill-inquiry.yaml --out bill-inquiry.md
  pgplan doc examples/plans/dev-product-change.yaml --lang ko --out product-change.ko.md";

pub const DIAGRAM: &str = "\
Examples:
  pgplan diagram examples/plans/ha-cluster.yaml > ha-cluster.mmd
  pgplan diagram plan.yaml --lang ko --out topology.mmd";

pub const COMPARE: &str = "\
Examples:
  pgplan compare examples/plans/dev-event-marketing.yaml examples/plans/prod-event-marketing.yaml
  pgplan compare dev.yaml prod.yaml --output markdown --lang ko > dev-vs-prod.md
  pgplan compare dev.yaml prod.yaml --output json | jq '.parity'";

pub const COST: &str = "\
Examples:
  pgplan cost examples/plans/prod-bill-inquiry.yaml
  pgplan cost plan.yaml --prices my-prices.yaml --output json";

pub const IMPORT: &str = "\
Examples:
  pgplan import --dsn postgresql://admin@127.0.0.1:5432/postgres --service orders --out orders.yaml
  pgplan import --dsn \"$DSN\" --service orders --environment production > orders.yaml";

pub const SCHEMA: &str = "\
Examples:
  pgplan schema --out plan.schema.json
  # then, first line of a plan file:
  # yaml-language-server: $schema=./plan.schema.json";

pub const COMPLETIONS: &str = "\
Examples:
  pgplan completions bash > /etc/bash_completion.d/pgplan
  pgplan completions zsh > \"${fpath[1]}/_pgplan\"
  pgplan completions fish > ~/.config/fish/completions/pgplan.fish";

pub const MAN: &str = "\
Examples:
  pgplan man --out /usr/local/share/man/man1
  pgplan man | man -l -";

pub const UP: &str = "\
Examples:
  pgplan up examples/plans/ha-cluster.yaml
  pgplan up plan.yaml --dir /srv/pgplan/orders-dev --quiet";

pub const STATUS: &str = "\
Examples:
  pgplan status examples/plans/ha-cluster.yaml
  pgplan status plan.yaml --dir /srv/pgplan/orders-dev --output json | jq '.servers[] | {name, role}'";

pub const DOWN: &str = "\
Examples:
  pgplan down examples/plans/ha-cluster.yaml
  pgplan down plan.yaml --dir /srv/pgplan/orders-dev --purge";
