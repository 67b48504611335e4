//! Long-running operations: a PUT, PATCH or POST that Azure answers 201 or
//! 202 is followed through its `Azure-AsyncOperation` status resource (or
//! the `Location` of a 202) until it succeeds, fails or times out, waiting
//! as long as `Retry-After` asks between polls.

use std::time::{Duration, Instant};

use azure_core::headers::{AZURE_ASYNCOPERATION, HeaderName, Headers, LOCATION, RETRY_AFTER};
use azure_core::{StatusCode, Url};
use pgplan_core::Progress;

use super::client::Applier;
use crate::Error;
use crate::operation::Operation;

/// Follows a long-running operation to its end: the
/// `Azure-AsyncOperation` status resource when there is one, else the
/// `Location` URL of a 202. Returns at once for an answer that is final.
pub(super) async fn follow(
    applier: &Applier,
    progress: &dyn Progress,
    op: &Operation,
    rsp: azure_core::Response,
) -> Result<(), Error> {
    let status = rsp.status();
    let headers = rsp.headers().clone();
    let header_url = |name: &HeaderName| -> Option<Url> {
        headers
            .get_optional_str(name)
            .and_then(|s| Url::parse(s).ok())
    };
    let async_url = header_url(&AZURE_ASYNCOPERATION);
    let location = header_url(&LOCATION);
    let options = &applier.options;
    let started = Instant::now();
    let mut wait = retry_after(&headers).unwrap_or(options.poll_interval);
    let (url, via_location) = match (async_url, location) {
        (Some(url), _) => (url, false),
        (None, Some(url)) if status == StatusCode::Accepted => (url, true),
        _ => return Ok(()),
    };
    loop {
        if started.elapsed() > options.timeout {
            break Err(Error::OperationFailed {
                operation: op.id.clone(),
                status: "TimedOut".into(),
                code: None,
                message: format!(
                    "still running after {} s; check it in the portal and apply again",
                    started.elapsed().as_secs()
                ),
            });
        }
        tokio::time::sleep(wait).await;
        let rsp = applier.get(&op.id, url.clone(), &applier.arm_scope).await?;
        let status = rsp.status();
        wait = retry_after(rsp.headers()).unwrap_or(options.poll_interval);
        if via_location {
            if status == StatusCode::Accepted {
                continue;
            }
            break Ok(());
        }
        let body: OperationStatus = rsp.json().await.map_err(|source| Error::Azure {
            operation: op.id.clone(),
            context: "reading the operation status".into(),
            source,
        })?;
        progress.note(&format!(
            "{}: {} ({} s)",
            op.summary,
            body.status,
            started.elapsed().as_secs()
        ));
        match body.status.as_str() {
            "Succeeded" => break Ok(()),
            "Failed" | "Canceled" | "Cancelled" => {
                let error = body.error.unwrap_or_default();
                break Err(Error::OperationFailed {
                    operation: op.id.clone(),
                    status: body.status,
                    code: error.code,
                    message: error
                        .message
                        .unwrap_or_else(|| "Azure gave no reason".into()),
                });
            }
            _ => continue,
        }
    }
}

/// The `Azure-AsyncOperation` status resource.
#[derive(Debug, serde::Deserialize)]
struct OperationStatus {
    status: String,
    #[serde(default)]
    error: Option<OperationError>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct OperationError {
    code: Option<String>,
    message: Option<String>,
}

/// `Retry-After` in seconds (the form ARM sends).
fn retry_after(headers: &Headers) -> Option<Duration> {
    headers
        .get_optional_str(&RETRY_AFTER)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut h = Headers::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, "3");
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(RETRY_AFTER, "Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(retry_after(&h), None);
    }
}
