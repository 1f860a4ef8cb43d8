//! A kubeconfig's `exec` credential plugin, run once per command as kubectl runs it.
//! kube-rs runs the plugin each time it reads the user: three times for one client (its
//! auth layer, its TLS identity, the client's expiry). So the plugin runs here, the
//! client is given what it printed, and a token that expires is run for again only when
//! it must be (within a minute of its expiry, as kube-rs does).

use std::future::Future;
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::task::{Context, Poll};

use base64::Engine;
use http::{HeaderValue, Request, header::AUTHORIZATION};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::client::{AuthError, Body as KubeBody};
use kube::config::{AuthInfo, ExecConfig, ExecInteractiveMode};
use serde::Deserialize;
use tower::{BoxError, Layer, Service};

/// What the plugin printed (`ExecCredential.status`).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Status {
    expiration_timestamp: Option<String>,
    token: Option<String>,
    client_certificate_data: Option<String>,
    client_key_data: Option<String>,
}

#[derive(Deserialize)]
struct ExecCredential {
    status: Option<Status>,
}

/// A token and when it expires.
struct Token {
    value: String,
    expires: Timestamp,
}

/// Runs the plugin if it is what gives `auth_info` its credentials (kube-rs's order:
/// an auth provider, a user and password, a token or a token file come first) and puts
/// what it printed in its place. `Some` when the token expires: the layer that adds it
/// to each request and runs the plugin again near its expiry.
pub fn resolve(auth_info: &mut AuthInfo) -> Result<Option<ExecTokenLayer>, AuthError> {
    let other = auth_info.auth_provider.is_some()
        || (auth_info.username.is_some() && auth_info.password.is_some())
        || auth_info.token.is_some()
        || auth_info.token_file.is_some();
    let Some(exec) = auth_info.exec.clone().filter(|_| !other) else {
        return Ok(None);
    };
    let status = run(&exec)?;
    auth_info.exec = None;
    let expires = expiry(&status)?;
    if let (Some(cert), Some(key)) = (status.client_certificate_data, status.client_key_data) {
        // PEM as printed; the kubeconfig's `-data` fields are base64 of it.
        let b64 = |pem: String| base64::engine::general_purpose::STANDARD.encode(pem);
        auth_info.client_certificate_data = Some(b64(cert));
        auth_info.client_key_data = Some(b64(key).into());
        return Ok(None);
    }
    match (status.token, expires) {
        (Some(value), Some(expires)) => Ok(Some(ExecTokenLayer { token: Token { value, expires }, exec })),
        (Some(token), None) => {
            auth_info.token = Some(token.into());
            Ok(None)
        }
        (None, _) => Ok(None),
    }
}

fn expiry(status: &Status) -> Result<Option<Timestamp>, AuthError> {
    status.expiration_timestamp.as_deref().map(str::parse).transpose().map_err(AuthError::MalformedTokenExpirationDate)
}

/// One run of the plugin, as kube-rs runs it (the same environment and errors).
fn run(exec: &ExecConfig) -> Result<Status, AuthError> {
    let mut cmd = Command::new(exec.command.as_deref().ok_or(AuthError::MissingCommand)?);
    cmd.args(exec.args.iter().flatten());
    for env in exec.env.iter().flatten() {
        if let (Some(name), Some(value)) = (env.get("name"), env.get("value")) {
            cmd.env(name, value);
        }
    }
    let interactive = exec.interactive_mode != Some(ExecInteractiveMode::Never);
    if interactive {
        cmd.stdin(Stdio::inherit()).stderr(Stdio::inherit());
    } else {
        cmd.stdin(Stdio::piped());
    }
    let mut spec = serde_json::json!({"interactive": interactive});
    if exec.provide_cluster_info {
        let cluster = exec.cluster.as_ref().ok_or(AuthError::ExecMissingClusterInfo)?;
        spec["cluster"] = serde_json::to_value(cluster).map_err(AuthError::AuthExecSerialize)?;
    }
    let info = serde_json::json!({"apiVersion": exec.api_version, "kind": "ExecCredential", "spec": spec});
    cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
    for name in exec.drop_env.iter().flatten() {
        cmd.env_remove(name);
    }
    let out = cmd.output().map_err(AuthError::AuthExecStart)?;
    if !out.status.success() {
        return Err(AuthError::AuthExecRun { cmd: format!("{cmd:?}"), out: Box::new(out) });
    }
    let cred: ExecCredential =
        serde_saphyr::from_slice(&out.stdout).map_err(|e| AuthError::AuthExecParse(Box::new(e)))?;
    cred.status.ok_or(AuthError::ExecPluginFailed)
}

/// Adds the plugin's token to each request; runs the plugin again within a minute of its expiry.
pub struct ExecTokenLayer {
    token: Token,
    exec: ExecConfig,
}

impl<S> Layer<S> for ExecTokenLayer {
    type Service = ExecToken<S>;
    fn layer(&self, inner: S) -> ExecToken<S> {
        let token = Token { value: self.token.value.clone(), expires: self.token.expires };
        ExecToken { inner, token, exec: self.exec.clone(), refreshing: None, failed: None }
    }
}

type Refresh = Pin<Box<dyn Future<Output = Result<Status, AuthError>> + Send>>;

pub struct ExecToken<S> {
    inner: S,
    token: Token,
    exec: ExecConfig,
    refreshing: Option<Refresh>,
    /// A refresh that failed: the next request's error (kube-rs's, so it reads the same).
    failed: Option<AuthError>,
}

impl<S> ExecToken<S> {
    fn refreshed(&mut self, result: Result<Status, AuthError>) -> Result<(), AuthError> {
        let status = result?;
        let expires = expiry(&status)?;
        match (status.token, expires) {
            (Some(value), Some(expires)) => self.token = Token { value, expires },
            _ => return Err(AuthError::UnrefreshableTokenResponse),
        }
        Ok(())
    }
}

impl<S> Service<Request<KubeBody>> for ExecToken<S>
where
    S: Service<Request<KubeBody>>,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        if self.failed.is_none() {
            if self.refreshing.is_none() && Timestamp::now() + SignedDuration::from_secs(60) >= self.token.expires {
                let exec = self.exec.clone();
                self.refreshing = Some(Box::pin(async move {
                    tokio::task::spawn_blocking(move || run(&exec))
                        .await
                        .unwrap_or_else(|e| Err(AuthError::AuthExec(format!("the plugin's task failed: {e}"))))
                }));
            }
            if let Some(refresh) = &mut self.refreshing {
                let result = std::task::ready!(refresh.as_mut().poll(cx));
                self.refreshing = None;
                self.failed = self.refreshed(result).err();
            }
        }
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut req: Request<KubeBody>) -> Self::Future {
        if let Some(e) = self.failed.take() {
            return Box::pin(async move { Err(Box::new(e) as BoxError) });
        }
        match HeaderValue::from_str(&format!("Bearer {}", self.token.value)) {
            Ok(mut value) => {
                value.set_sensitive(true);
                req.headers_mut().insert(AUTHORIZATION, value);
            }
            Err(e) => return Box::pin(async move { Err(Box::new(AuthError::InvalidBearerToken(e)) as BoxError) }),
        }
        let fut = self.inner.call(req);
        Box::pin(async move { fut.await.map_err(Into::into) })
    }
}
