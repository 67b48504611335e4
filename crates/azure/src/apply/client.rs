//! The connection to Azure: the generated `azure_mgmt_postgresql` client
//! over an HTTP transport that strips `null` members, a plain pipeline for
//! polling and Key Vault, credentials and tokens, and the one function that
//! reads a secret (an environment variable or a Key Vault secret).

use std::fmt;
use std::sync::Arc;

use azure_core::auth::TokenCredential;
use azure_core::{ClientOptions, Context, Pipeline, Request, StatusCode, TransportOptions, Url};
use azure_mgmt_postgresql::package_flexibleserver_2024_08_01 as api;
use pgplan_core::{Password, ReadableSecret, SecretSource};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ApplyOptions;
use crate::Error;

const KEY_VAULT_SCOPE: &str = "https://vault.azure.net/.default";
const KEY_VAULT_API_VERSION: &str = "7.4";

/// Sends operations to Azure Resource Manager.
pub struct Applier {
    pub(super) client: api::Client,
    credential: Arc<dyn TokenCredential>,
    pipeline: Pipeline,
    pub(super) arm_scope: String,
    pub(super) options: ApplyOptions,
}

impl fmt::Debug for Applier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Applier")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn setup_error(context: &str, source: azure_core::Error) -> Error {
    Error::Azure {
        operation: "setup".into(),
        context: context.into(),
        source,
    }
}

impl Applier {
    /// An applier with these credentials.
    pub fn new(credential: Arc<dyn TokenCredential>, options: ApplyOptions) -> Result<Self, Error> {
        let endpoint = Url::parse(&options.endpoint).map_err(|e| Error::MissingInput {
            operation: "setup".into(),
            what: format!("a valid endpoint (`{}`: {e})", options.endpoint),
            fix: "pass an absolute URL such as https://management.azure.com".into(),
        })?;
        let arm_scope = endpoint
            .join(azure_core::auth::DEFAULT_SCOPE_SUFFIX)
            .map_err(|e| setup_error("building the token scope", e.into()))?
            .to_string();
        let http = azure_core::new_http_client();
        let client = api::ClientBuilder::new(credential.clone())
            .endpoint(endpoint)
            .transport(TransportOptions::new_custom_policy(Arc::new(
                NullStrippingTransport { http: http.clone() },
            )))
            .build()
            .map_err(|e| setup_error("building the client", e))?;
        let pipeline = Pipeline::new(
            option_env!("CARGO_PKG_NAME"),
            option_env!("CARGO_PKG_VERSION"),
            ClientOptions::new(TransportOptions::new(http)),
            Vec::new(),
            Vec::new(),
        );
        Ok(Applier {
            client,
            credential,
            pipeline,
            arm_scope,
            options,
        })
    }

    /// An applier with the default credential chain (environment, workload
    /// and managed identity, Azure CLI).
    pub fn from_environment(options: ApplyOptions) -> Result<Self, Error> {
        let credential = azure_identity::create_default_credential()
            .map_err(|e| setup_error("finding Azure credentials", e))?;
        Self::new(credential, options)
    }

    async fn token(&self, operation: &str, scope: &str) -> Result<String, Error> {
        let token = self
            .credential
            .get_token(&[scope])
            .await
            .map_err(|source| Error::Azure {
                operation: operation.into(),
                context: format!("getting a token for {scope}"),
                source,
            })?;
        Ok(token.token.secret().to_owned())
    }

    /// A GET through the pipeline (retries 429/503 after `Retry-After`).
    pub(super) async fn get(
        &self,
        operation: &str,
        url: Url,
        scope: &str,
    ) -> Result<azure_core::Response, Error> {
        let mut req = Request::new(url.clone(), azure_core::Method::Get);
        let token = self.token(operation, scope).await?;
        req.insert_header(
            azure_core::headers::AUTHORIZATION,
            format!("Bearer {token}"),
        );
        self.pipeline
            .send(&Context::default(), &mut req)
            .await
            .map_err(|e| rejected(operation, &format!("reading {}", url.path()), e))
    }

    /// The URL of a path below the Resource Manager endpoint.
    pub(super) fn arm_url(&self, operation: &str, path: &str) -> Result<Url, Error> {
        let base = self.options.endpoint.trim_end_matches('/');
        Url::parse(&format!("{base}{path}")).map_err(|e| Error::MissingInput {
            operation: operation.into(),
            what: format!("a valid URL for {path} ({e})"),
            fix: "check the endpoint passed to apply".into(),
        })
    }

    /// A GET through the pipeline that answers `None` for a 404.
    pub(super) async fn get_if_exists(
        &self,
        operation: &str,
        url: Url,
    ) -> Result<Option<azure_core::Response>, Error> {
        let mut req = Request::new(url.clone(), azure_core::Method::Get);
        let token = self.token(operation, &self.arm_scope).await?;
        req.insert_header(
            azure_core::headers::AUTHORIZATION,
            format!("Bearer {token}"),
        );
        match self.pipeline.send(&Context::default(), &mut req).await {
            Ok(rsp) => Ok(Some(rsp)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(rejected(operation, &format!("reading {}", url.path()), e)),
        }
    }

    /// A PUT of a JSON body through the pipeline (for resources the
    /// generated client does not cover: metric alerts).
    pub(super) async fn put_json(
        &self,
        operation: &str,
        url: Url,
        body: &serde_json::Value,
    ) -> Result<azure_core::Response, Error> {
        let mut req = Request::new(url.clone(), azure_core::Method::Put);
        let token = self.token(operation, &self.arm_scope).await?;
        req.insert_header(
            azure_core::headers::AUTHORIZATION,
            format!("Bearer {token}"),
        );
        req.insert_header(azure_core::headers::CONTENT_TYPE, "application/json");
        let bytes = serde_json::to_vec(body).map_err(|source| Error::Serialize {
            what: operation.into(),
            source,
        })?;
        req.set_body(bytes);
        self.pipeline
            .send(&Context::default(), &mut req)
            .await
            .map_err(|e| rejected(operation, &format!("writing {}", url.path()), e))
    }

    /// Reads a secret the plan names: the one place apply reads the
    /// environment or Key Vault for a password. Sources apply cannot read by
    /// itself (rule PGP148 keeps them out of a validated plan's operations)
    /// are a missing input.
    pub(super) async fn read_secret(
        &self,
        operation: &str,
        source: &SecretSource,
    ) -> Result<Password, Error> {
        let missing = |what: String, fix: String| Error::MissingInput {
            operation: operation.into(),
            what,
            fix,
        };
        match source.readable() {
            Some(ReadableSecret::Env(var)) => std::env::var(var.as_str())
                .ok()
                .filter(|v| !v.is_empty())
                .map(Password::new)
                .ok_or_else(|| {
                    missing(
                        format!("the administrator password (environment variable {var})"),
                        format!("export {var}"),
                    )
                }),
            Some(ReadableSecret::KeyVault { vault, secret }) => {
                let base = self
                    .options
                    .key_vault_url
                    .replace("{vault}", vault.as_str());
                let url = Url::parse(&format!(
                    "{}/secrets/{secret}?api-version={KEY_VAULT_API_VERSION}",
                    base.strip_suffix('/').unwrap_or(&base)
                ))
                .map_err(|e| {
                    missing(
                        format!("a Key Vault URL for `{vault}` ({e})"),
                        "check the vault name and the Key Vault URL template".into(),
                    )
                })?;
                let rsp = self.get(operation, url, KEY_VAULT_SCOPE).await?;
                #[derive(serde::Deserialize)]
                struct SecretBundle {
                    value: String,
                }
                let bundle: SecretBundle = rsp.json().await.map_err(|source| Error::Azure {
                    operation: operation.into(),
                    context: format!("reading secret `{secret}` of Key Vault `{vault}`"),
                    source,
                })?;
                Ok(Password::new(bundle.value))
            }
            None => Err(missing(
                format!("the administrator password ({})", source.describe()),
                "keep it in Key Vault or an environment variable".into(),
            )),
        }
    }
}

/// The HTTP transport of the generated client, with one correction: JSON
/// request bodies lose their `null` members. The generated models serialise
/// unset dates as `null` (`earliestRestoreDate`, `pointInTimeUTC`, both
/// read-only or create-only), which must not reach ARM.
#[derive(Debug)]
struct NullStrippingTransport {
    http: Arc<dyn azure_core::HttpClient>,
}

#[async_trait::async_trait]
impl azure_core::Policy for NullStrippingTransport {
    async fn send(
        &self,
        _ctx: &Context,
        request: &mut Request,
        _next: &[Arc<dyn azure_core::Policy>],
    ) -> azure_core::PolicyResult {
        let json = request
            .headers()
            .get_optional_str(&azure_core::headers::CONTENT_TYPE)
            .is_some_and(|c| c.contains("json"));
        if json
            && let azure_core::Body::Bytes(bytes) = request.body()
            && let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes)
        {
            crate::operation::strip_nulls(&mut value);
            if let Ok(cleaned) = serde_json::to_vec(&value) {
                request.set_body(cleaned);
            }
        }
        self.http.execute_request(request).await
    }
}

/// The error of a refused request: Azure's status, code and message.
pub(super) fn rejected(operation: &str, context: &str, e: azure_core::Error) -> Error {
    match e.as_http_error() {
        Some(http) => Error::Rejected {
            operation: operation.into(),
            status: u16::from(http.status()),
            code: http.error_code().map(str::to_owned),
            message: http
                .error_message()
                .map_or_else(|| context.to_owned(), str::to_owned),
        },
        None => Error::Azure {
            operation: operation.into(),
            context: context.into(),
            source: e,
        },
    }
}

/// True for a 404: the resource does not exist.
pub(super) fn is_not_found(e: &azure_core::Error) -> bool {
    e.as_http_error()
        .is_some_and(|h| h.status() == StatusCode::NotFound)
}

/// Fills the placeholders of a typed body: through JSON, where they are text.
pub(super) fn fill<T: Serialize + DeserializeOwned>(
    operation: &str,
    body: &T,
    replacements: &[(&str, &str)],
) -> Result<T, Error> {
    let mut text = serde_json::to_string(body).map_err(|source| Error::Serialize {
        what: operation.into(),
        source,
    })?;
    for (from, to) in replacements {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).map_err(|source| Error::Serialize {
        what: operation.into(),
        source,
    })
}
