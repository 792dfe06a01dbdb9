//! `/api/health*`: liveness and the state of each dependency.

use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use petpixel_types::health::{ComponentHealth, DeepHealth, Health};

use crate::state::AppState;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn ms(start: Instant) -> Option<f64> {
    Some((start.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0)
}

/// The process is up.
#[utoipa::path(get, path = "/api/health", tag = "health", responses((status = 200, description = "Up", body = Health)))]
pub async fn get_health() -> Json<Health> {
    Json(Health { status: "ok".into(), version: VERSION.into() })
}

async fn database(state: &AppState) -> ComponentHealth {
    let start = Instant::now();
    match state.db.conn.ping().await {
        Ok(()) => {
            ComponentHealth { status: "ok".into(), backend: state.db.backend_name().into(), latency_ms: ms(start), error: None, disk: None }
        }
        Err(e) => {
            tracing::warn!(error = %e, "database health check failed");
            ComponentHealth {
                status: "error".into(),
                backend: state.db.backend_name().into(),
                latency_ms: ms(start),
                error: Some("the database did not answer".into()),
                disk: None,
            }
        }
    }
}

/// The cache and event bus: Redis when `REDIS_URL` is set (pinged), else in-process.
async fn cache(state: &AppState) -> ComponentHealth {
    state.db.bus.health().await
}

/// The file store answers (a folder that is there, or the bucket), without writing anything.
async fn storage(state: &AppState) -> ComponentHealth {
    state.storage.health().await
}

fn code(component: &ComponentHealth) -> StatusCode {
    if component.status == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

/// Every dependency, with the backend in use and its latency; 503 if any fails.
#[utoipa::path(get, path = "/api/health/deep", tag = "health",
    responses((status = 200, description = "All dependencies answer", body = DeepHealth), (status = 503, description = "A dependency fails", body = DeepHealth)))]
pub async fn get_deep_health(State(state): State<AppState>) -> (StatusCode, Json<DeepHealth>) {
    let (database, cache, storage, backup) = tokio::join!(database(&state), cache(&state), storage(&state), backup(&state));
    let ok = [&database, &cache, &storage].iter().all(|c| c.status == "ok");
    let status = if ok { "ok" } else { "degraded" };
    let code = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(DeepHealth { status: status.into(), version: VERSION.into(), database, cache, storage, backup }))
}

/// The cache.
#[utoipa::path(get, path = "/api/health/cache", tag = "health",
    responses((status = 200, description = "The cache answers", body = ComponentHealth), (status = 503, description = "It does not", body = ComponentHealth)))]
pub async fn get_cache_health(State(state): State<AppState>) -> (StatusCode, Json<ComponentHealth>) {
    let c = cache(&state).await;
    (code(&c), Json(c))
}

/// File storage.
#[utoipa::path(get, path = "/api/health/storage", tag = "health",
    responses((status = 200, description = "Storage is writable", body = ComponentHealth), (status = 503, description = "It is not", body = ComponentHealth)))]
pub async fn get_storage_health(State(state): State<AppState>) -> (StatusCode, Json<ComponentHealth>) {
    let c = storage(&state).await;
    (code(&c), Json(c))
}

/// The backups' state, when there is a schedule or a backup was made; None if the database
/// cannot say (its own component tells why).
async fn backup(state: &AppState) -> Option<petpixel_types::health::BackupHealth> {
    let conn = &state.db.conn;
    let (last, good) = tokio::join!(crate::backup::schedule::last(conn), crate::backup::schedule::last_good(conn));
    let (last, good) = (last.ok()?, good.ok()?);
    let schedule = state.config.backup_schedule;
    if last.is_none() && schedule.is_none() {
        return None;
    }
    let finished = good.as_ref().and_then(|g| g.finished_at);
    let age = finished.map(|t| (chrono::Utc::now() - t).num_seconds().max(0) as u64);
    let status = match (&last, age) {
        (Some(l), _) if l.status == "failed" => "failed",
        (_, None) => "never",
        (_, Some(age)) if schedule.is_some_and(|every| age > 2 * every.as_secs()) => "stale",
        _ => "ok",
    };
    Some(petpixel_types::health::BackupHealth {
        status: status.into(),
        last_success_at: finished,
        age_seconds: age,
        schedule_seconds: schedule.map(|s| s.as_secs()),
    })
}
