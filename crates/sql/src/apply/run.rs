//! Running statements: batched in one transaction, or one at a time where
//! PostgreSQL refuses a transaction.

use tokio_postgres::Client;

use super::session::error_text;
use crate::error::Error;
use crate::statement::Statement;

/// Statements per round trip inside a transaction.
pub(super) const BATCH: usize = 200;

pub(super) async fn run_transaction(
    client: &Client,
    server: &str,
    scope: &str,
    statements: &[&Statement],
) -> Result<(), Error> {
    let fail = |statement: String, e: &tokio_postgres::Error, rolled_back: String| Error::Apply {
        scope: scope.to_owned(),
        server: server.to_owned(),
        statement,
        message: error_text(e),
        rolled_back,
    };
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| fail("BEGIN".into(), &e, "nothing was changed".into()))?;
    for chunk in statements.chunks(BATCH) {
        let sql = chunk
            .iter()
            .map(|s| s.to_sql())
            .collect::<Vec<_>>()
            .join(";\n");
        if let Err(e) = client.batch_execute(&sql).await {
            let fatal = e
                .as_db_error()
                .is_none_or(|d| matches!(d.severity(), "FATAL" | "PANIC"));
            if client.is_closed() || e.is_closed() || fatal {
                return Err(fail(
                    chunk
                        .first()
                        .map(|s| s.to_redacted_sql())
                        .unwrap_or_default(),
                    &e,
                    format!(
                        "the connection was lost inside the transaction, so the server rolled it back: nothing in {scope} changed"
                    ),
                ));
            }
            let _ = client.batch_execute("ROLLBACK").await;
            // Find the statement that failed: replay one at a time in a
            // transaction that is rolled back again.
            let mut culprit = (
                chunk
                    .first()
                    .map(|s| s.to_redacted_sql())
                    .unwrap_or_default(),
                e,
            );
            if client.batch_execute("BEGIN").await.is_ok() {
                'replay: for done in statements {
                    if let Err(e) = client.batch_execute(&done.to_sql()).await {
                        culprit = (done.to_redacted_sql(), e);
                        break 'replay;
                    }
                }
                let _ = client.batch_execute("ROLLBACK").await;
            }
            return Err(fail(
                culprit.0,
                &culprit.1,
                format!("the transaction was rolled back: nothing in {scope} changed"),
            ));
        }
    }
    client.batch_execute("COMMIT").await.map_err(|e| {
        fail(
            "COMMIT".into(),
            &e,
            format!("the outcome of COMMIT is unknown: run diff to see whether {scope} changed"),
        )
    })
}

pub(super) async fn run_single(
    client: &Client,
    server: &str,
    scope: &str,
    statement: &Statement,
) -> Result<(), Error> {
    client
        .batch_execute(&statement.to_sql())
        .await
        .map_err(|e| Error::Apply {
            scope: scope.to_owned(),
            server: server.to_owned(),
            statement: statement.to_redacted_sql(),
            message: error_text(&e),
            rolled_back: "this statement had no effect; the ones before it in this step were applied (run diff to see what is left)".into(),
        })
}
