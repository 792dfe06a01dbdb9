//! Logs (tracing, with a request id on every line; JSON on request), traces (OTLP, see `traces`),
//! error reports (Sentry, see `error_reports`) and Prometheus metrics.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

use petpixel_types::Problem;

use crate::actor::Actor;
use crate::config::Config;
use crate::error::ApiResult;
use crate::policy;
use crate::state::AppState;

/// Logs' default filter: the app at INFO, the database drivers' statements left out.
const LOGS: &str = "info,sqlx=warn,sea_orm=warn";

/// What keeps traces and error reports flowing; dropping it (at exit) sends what is still queued.
#[must_use = "traces and error reports stop when the guard is dropped"]
pub struct Guard {
    tracer: Option<SdkTracerProvider>,
    _errors: Option<sentry::ClientInitGuard>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(tracer) = self.tracer.take() {
            if let Err(e) = tracer.shutdown() {
                eprintln!("traces could not all be sent: {e}");
            }
        }
    }
}

/// Sends what is queued now (tests, before reading what arrived).
pub fn flush(guard: &Guard) {
    if let Some(tracer) = &guard.tracer {
        let _ = tracer.force_flush();
    }
    if let Some(client) = sentry::Hub::current().client() {
        client.flush(Some(std::time::Duration::from_secs(5)));
    }
}

/// Logs to stderr (JSON with `PETPIXEL_LOG_JSON`), and, when set, traces to the OTLP endpoint and
/// error reports to Sentry. Each has its own filter: `RUST_LOG` narrows the logs only.
pub fn init(config: &Config) -> anyhow::Result<Guard> {
    let errors = config.sentry_dsn.as_ref().map(|dsn| crate::error_reports::init(dsn, config.sentry_environment.as_deref())).transpose()?;
    let tracer = config.otlp.as_ref().map(crate::traces::provider).transpose()?;
    let logs = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(LOGS));
    let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = Vec::new();
    layers.push(if config.log_json {
        tracing_subscriber::fmt::layer().json().flatten_event(true).with_current_span(true).with_span_list(false).with_filter(logs).boxed()
    } else {
        tracing_subscriber::fmt::layer().with_filter(logs).boxed()
    });
    if let Some(tracer) = &tracer {
        layers.push(tracing_opentelemetry::layer().with_tracer(tracer.tracer("petpixel")).with_filter(crate::traces::filter()).boxed());
    }
    if errors.is_some() {
        layers.push(crate::error_reports::layer());
    }
    // Tests initialise more than once; the first subscriber stays.
    let _ = tracing_subscriber::registry().with(layers).try_init();
    Ok(Guard { tracer, _errors: errors })
}

/// A request's path as logs show it: the credential some paths carry (a build's preview link, a
/// customer's review link, an invitation or password-reset link) replaced by `…`, since whoever
/// reads the logs must not be able to use them.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    // Each prefix, and how many segments after it come before the credential.
    const CARRIERS: [(&str, usize); 5] =
        [("/preview/", 1), ("/r/", 0), ("/api/v1/reviews/", 0), ("/api/v1/auth/invitations/", 0), ("/api/v1/auth/password-reset/", 0)];
    for (prefix, skip) in CARRIERS {
        let Some(rest) = path.strip_prefix(prefix) else { continue };
        let mut segments: Vec<&str> = rest.split('/').collect();
        if let Some(secret) = segments.get_mut(skip).filter(|s| !s.is_empty()) {
            *secret = "…";
            return std::borrow::Cow::Owned(format!("{prefix}{}", segments.join("/")));
        }
    }
    std::borrow::Cow::Borrowed(path)
}

/// The process-wide Prometheus recorder (the `metrics` facade has one global recorder).
pub fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
            )
            .expect("static buckets are valid");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
        }
        handle
    })
}

/// The method as a label: one of a fixed set, since hyper accepts any token as a method and a
/// label per made-up method would grow memory (and `/metrics`) without bound.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"];
    KNOWN.into_iter().find(|known| *known == method.as_str()).unwrap_or("other")
}

/// Counts requests and their latency by method, route template (never the raw path, which would
/// make a series per id; `unmatched` for every path no route has) and status code. Every label
/// comes from a fixed set.
pub async fn track(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method.to_owned()), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(start.elapsed().as_secs_f64());
    response
}

/// Prometheus metrics: requests and latency by method, route and status, and the database pool.
///
/// Admins only (a bearer token holding `*`). A scraper without credentials reads the same text on
/// `PETPIXEL_METRICS_BIND`, a separate address meant to stay private (off by default).
#[utoipa::path(get, path = "/metrics", tag = "health", security(("bearer" = [])),
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_metrics(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    policy::require_admin(&actor)?;
    Ok(render(&state).await)
}

/// The metrics text, for the admin route and the private metrics address alike. The gauges the
/// alerts watch beside the request counters are read now: the job queue's backlog (jobs due and
/// not taken, and how long the oldest has waited) and the folder store's disk.
pub async fn render(state: &AppState) -> Response {
    match crate::jobs::backlog(&state.db.conn, chrono::Utc::now()).await {
        Ok((due, oldest)) => {
            metrics::gauge!("petpixel_jobs_due").set(due as f64);
            metrics::gauge!("petpixel_jobs_oldest_due_seconds").set(oldest.as_secs_f64());
        }
        Err(e) => tracing::warn!(error = %e, "the job queue's backlog could not be read for /metrics"),
    }
    // Age of the last good backup: what the backup alert watches (absent while none was made).
    if let Ok(Some(good)) = crate::backup::schedule::last_good(&state.db.conn).await {
        let finished = good.finished_at.unwrap_or(good.started_at);
        metrics::gauge!("petpixel_backup_age_seconds").set((chrono::Utc::now() - finished).num_milliseconds() as f64 / 1000.0);
    }
    if let Some(disk) = state.storage.disk() {
        metrics::gauge!("petpixel_storage_disk_used_ratio").set(disk.used_ratio);
    }
    let (size, idle) = state.db.pool_stats();
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("db_pool_connections", "state" => "in_use").set(size.saturating_sub(idle as u32) as f64);
    metrics::gauge!("db_pool_max_connections").set(f64::from(state.config.database_max_connections));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics_handle().render()).into_response()
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn credentials_in_paths_stay_out_of_the_logs() {
        assert_eq!(loggable_path("/preview/0192/1700000000.abcdef/runner.js"), "/preview/0192/…/runner.js");
        assert_eq!(loggable_path("/preview/0192/1700000000.abcdef/"), "/preview/0192/…/");
        assert_eq!(loggable_path("/r/rv_secret"), "/r/…");
        assert_eq!(loggable_path("/api/v1/reviews/rv_secret/decision"), "/api/v1/reviews/…/decision");
        assert_eq!(loggable_path("/api/v1/auth/password-reset/pr_secret"), "/api/v1/auth/password-reset/…");
        assert_eq!(loggable_path("/api/v1/projects/0192"), "/api/v1/projects/0192");
        assert_eq!(loggable_path("/preview/"), "/preview/");
    }
}
