//! Databases (`PUT flexibleServers/{name}/databases/{database}`).

use super::{Ctx, plan_error};
use crate::Error;
use crate::models;
use crate::operation::{Body, Method, Operation, OperationKind};

/// `UTF-8` → `UTF8`: the API's charset pattern (`^[a-zA-Z]+\w*$`) has no hyphen.
pub(crate) fn charset(encoding: &str) -> String {
    encoding.trim().replace('-', "")
}

/// `en_US.UTF-8` → `en_US.utf8`, the codeset spelled as glibc normalises it:
/// the API's collation pattern (`^[a-zA-Z\-]+([. ]|\w)*$`) allows no hyphen
/// after the language part.
pub(crate) fn collation(locale: &str) -> String {
    let locale = locale.trim();
    match locale.split_once('.') {
        Some((lang, codeset)) => {
            let (codeset, modifier) = codeset.split_once('@').unwrap_or((codeset, ""));
            let codeset: String = codeset
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            if modifier.is_empty() {
                format!("{lang}.{codeset}")
            } else {
                format!("{lang}.{codeset}@{modifier}")
            }
        }
        None => locale.to_owned(),
    }
}

fn matches_charset(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn matches_collation(s: &str) -> bool {
    let lead = s
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '-')
        .count();
    lead > 0
        && s[lead..]
            .chars()
            .all(|c| c == '.' || c == ' ' || c.is_alphanumeric() || c == '_')
}

pub(super) fn operations(cx: &Ctx<'_>) -> Result<Vec<Operation>, Error> {
    let server = cx.azure.server_name.as_str();
    let mut ops = Vec::new();
    for (i, db) in cx.plan.databases.iter().enumerate() {
        let field = format!("databases[{i}]");
        let name = db.name.as_str();
        let name_ok = name.len() <= 63
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if !name_ok {
            return Err(plan_error(
                format!("{field}.name"),
                format!("`{name}` is not a database name the Azure API accepts"),
                "start with a letter or `_`, then letters, digits, `_` or `-`, at most 63 characters",
            ));
        }
        let charset = charset(db.encoding.as_str());
        if !matches_charset(&charset) {
            return Err(plan_error(
                format!("{field}.encoding"),
                format!("`{}` is not a character set name", db.encoding),
                "use a PostgreSQL encoding name such as UTF8",
            ));
        }
        let collation = db.locale.as_ref().map(|l| collation(l.as_str()));
        if let Some(c) = &collation
            && !matches_collation(c)
        {
            return Err(plan_error(
                format!("{field}.locale"),
                format!("`{c}` is not a collation name the Azure API accepts"),
                "use a locale such as en_US.utf8 or C",
            ));
        }
        let mut notes = Vec::new();
        if db.timezone.is_some() || db.connection_limit.is_some() || !db.extensions.is_empty() {
            notes.push(
                "time zone, connection limit, schemas and extensions are set inside the database by the SQL backend"
                    .to_owned(),
            );
        }
        let body = models::Database {
            proxy_resource: Default::default(),
            properties: Some(models::DatabaseProperties {
                charset: Some(charset.clone()),
                collation: collation.clone(),
            }),
        };
        ops.push(Operation {
            id: format!("database:{name}"),
            kind: OperationKind::Database,
            server: server.to_owned(),
            summary: format!(
                "create database {name} ({charset}{}) on {server}",
                collation.map(|c| format!(", {c}")).unwrap_or_default()
            ),
            method: Method::Put,
            path: cx.path(server, &format!("/databases/{name}")),
            body: Some(Body::Database(body)),
            needs_restart: false,
            secrets: Vec::new(),
            placeholders: cx.placeholders(),
            notes,
        });
    }
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_become_api_collations() {
        assert_eq!(collation("en_US.UTF-8"), "en_US.utf8");
        assert_eq!(collation("ko_KR.UTF8"), "ko_KR.utf8");
        assert_eq!(collation("C"), "C");
        assert_eq!(collation("de_DE.ISO-8859-1@euro"), "de_DE.iso88591@euro");
        assert!(matches_collation("en_US.utf8"));
        assert!(!matches_collation("en_US.UTF-8"));
        assert_eq!(charset("UTF-8"), "UTF8");
        assert!(matches_charset("UTF8"));
    }
}
