//! PGP059 client-references: a client logs in as a planned login role and
//! uses a planned database.

use super::planned_names;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP059.
pub struct ClientReferences;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP059",
    name: "client-references",
    summary: "every client logs in as a planned role that can log in, to a planned database",
    rationale: "The clients are what the plan exists for: a client whose role is not planned, has no login, or whose database is not created gets role \"…\" does not exist, is not permitted to log in, or database \"…\" does not exist on its first connection, and the service does not start. The connection budget and the network policy are also built from these names.",
    examples: crate::rule_examples!("PGP059-client-references"),
    replaces: &["PGP011"],
};

impl Rule for ClientReferences {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (c, client) in cx.plan.clients.iter().enumerate() {
            if let Some(role) = &client.role {
                match cx.plan.role(role) {
                    None => out.error(
                        format!("clients[{c}].role"),
                        format!(
                            "client {} logs in as {role}, which is not a planned role",
                            client.name
                        ),
                        format!(
                            "add role {role} (purpose: application, login: true) or use a planned role ({})",
                            planned_names(cx)
                        ),
                    ),
                    Some(r) if !r.login => out.error(
                        format!("clients[{c}].role"),
                        format!(
                            "client {} logs in as {role}, a role without login",
                            client.name
                        ),
                        format!(
                            "set login: true on role {role}, or have the client use a login role that is a member of it"
                        ),
                    ),
                    Some(_) => {}
                }
            }
            if let Some(database) = &client.database
                && !cx.plan.databases.iter().any(|d| &d.name == database)
            {
                out.error(
                    format!("clients[{c}].database"),
                    format!(
                        "client {} uses database {database}, which the plan does not create",
                        client.name
                    ),
                    "add it to databases or fix the name",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::name;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn clients_use_planned_roles_and_databases() {
        let mut plan = kubernetes_reference_plan();
        plan.clients[0].role = Some(name("product_change_user"));
        plan.clients[0].database = Some(v("product_db"));
        let d = run(&ClientReferences, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let role = diagnostic_at(&d, "clients[0].role");
        assert_eq!(role.id(), "PGP059");
        assert!(role.message.contains("logs in as product_change_user"));
        assert!(
            diagnostic_at(&d, "clients[0].database")
                .message
                .contains("product_db")
        );
    }

    #[test]
    fn client_roles_log_in() {
        let mut plan = kubernetes_reference_plan();
        plan.roles[1].login = false;
        let d = run(&ClientReferences, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            diagnostic_at(&d, "clients[0].role")
                .message
                .contains("a role without login")
        );
    }
}
