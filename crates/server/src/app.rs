//! The router: every route, its middleware, and the OpenAPI document; and serving it.

use std::net::SocketAddr;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::HeaderName;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::AppError;
use crate::openapi::ApiDoc;
use crate::state::AppState;
use crate::{
    activity, api_tokens, assets, auth, builds, client_errors, email, files, health, jobs, notifications, projects, security_headers,
    telemetry, templates, urls, users, webhooks,
};

/// `/api/v1`: one line per path; each handler lives in the module named after its URL.
fn v1_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::handlers::create_session))
        .routes(routes!(auth::handlers::refresh_session))
        .routes(routes!(auth::handlers::delete_session))
        .routes(routes!(auth::handlers::get_me))
        .routes(routes!(api_tokens::handlers::list_api_tokens, api_tokens::handlers::create_api_token))
        .routes(routes!(api_tokens::handlers::delete_api_token))
        .routes(routes!(users::handlers::list_users, users::handlers::create_user))
        .routes(routes!(users::handlers::get_user, users::handlers::update_user))
        .routes(routes!(users::handlers::update_user_role))
        .routes(routes!(projects::handlers::list_projects, projects::handlers::create_project))
        .routes(routes!(projects::handlers::get_project, projects::handlers::update_project, projects::handlers::delete_project))
        .routes(routes!(projects::handlers::get_project_stats))
        .routes(routes!(projects::handlers::restore_project))
        .routes(routes!(projects::handlers::update_project_status))
        .routes(routes!(projects::handlers::update_project_assignee))
        .routes(routes!(activity::handlers::list_project_activity))
        .routes(routes!(activity::handlers::list_activity))
        .routes(routes!(jobs::handlers::list_jobs))
        .routes(routes!(jobs::handlers::retry_job))
        .routes(routes!(assets::handlers::list_project_assets))
        .routes(routes!(assets::handlers::presign_project_asset))
        .routes(routes!(assets::handlers::complete_asset_upload))
        .routes(routes!(assets::handlers::get_asset, assets::handlers::update_asset, assets::handlers::delete_asset))
        .routes(routes!(assets::handlers::get_asset_download))
        .routes(routes!(assets::handlers::get_asset_thumbnail))
        .routes(routes!(assets::handlers::get_asset_preview))
        .routes(routes!(assets::handlers::list_asset_versions))
        .routes(routes!(assets::handlers::process_asset))
        .routes(routes!(templates::handlers::list_templates))
        .routes(routes!(templates::handlers::get_template))
        .routes(routes!(builds::handlers::create_project_build, builds::handlers::list_project_builds))
        .routes(routes!(builds::handlers::get_build, builds::handlers::delete_build))
        .routes(routes!(urls::handlers::generate_project_urls))
        .routes(routes!(urls::handlers::reserve_project_url))
        .routes(routes!(urls::handlers::check_url))
        .routes(routes!(urls::handlers::list_urls))
        .routes(routes!(urls::handlers::get_url, urls::handlers::delete_url))
        .routes(routes!(urls::handlers::deploy_url))
        .routes(routes!(urls::handlers::get_url_analytics))
        .routes(routes!(notifications::handlers::list_notifications, notifications::handlers::send_notification))
        .routes(routes!(client_errors::handlers::report_client_error))
        .routes(routes!(notifications::handlers::get_unread_count))
        .routes(routes!(notifications::handlers::read_notification))
        .routes(routes!(notifications::handlers::read_all_notifications))
        .routes(routes!(notifications::handlers::get_notification_preferences, notifications::handlers::update_notification_preferences))
        .routes(routes!(email::handlers::list_emails))
        .routes(routes!(webhooks::handlers::list_webhooks, webhooks::handlers::create_webhook))
        .routes(routes!(webhooks::handlers::get_webhook, webhooks::handlers::update_webhook, webhooks::handlers::delete_webhook))
        .routes(routes!(webhooks::handlers::rotate_webhook_secret))
        .routes(routes!(webhooks::handlers::test_webhook))
        .routes(routes!(webhooks::handlers::list_webhook_deliveries))
        .routes(routes!(webhooks::handlers::resend_webhook_delivery))
        .merge(upload_routes())
}

/// Uploads stream past the body limit: their readers count every byte against the upload limit
/// themselves, and a declared length over it is refused before reading.
fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(assets::handlers::upload_project_asset))
        .routes(routes!(assets::handlers::upload_asset_version))
        .layer(DefaultBodyLimit::disable())
}

/// Every job kind the app runs, with the periodic ones.
pub fn job_registry() -> jobs::Registry {
    // Each capability adds its kinds and periodic jobs to what the others registered.
    let registrations: [fn(jobs::Registry) -> jobs::Registry; 9] = [
        assets::register,
        builds::register,
        urls::register,
        notifications::register,
        email::register,
        crate::idempotency::register,
        webhooks::register,
        crate::backup::schedule::register,
        projects::retention::register,
    ];
    registrations.into_iter().fold(jobs::Registry::builtin(), |registry, register| register(registry))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1_routes())
        .routes(routes!(health::get_health))
        .routes(routes!(health::get_deep_health))
        .routes(routes!(health::get_cache_health))
        .routes(routes!(health::get_storage_health))
        .routes(routes!(telemetry::get_metrics))
        .routes(routes!(files::handlers::get_file, files::handlers::put_file))
}

/// The OpenAPI document the server serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    crate::openapi::finish(api_routes().split_for_parts().1)
}

/// Every request has `PETPIXEL_REQUEST_TIMEOUT_SECS` to be answered; an upload, which may be
/// 10 MB over a slow line, `PETPIXEL_UPLOAD_TIMEOUT_SECS`.
async fn deadline(State(state): State<AppState>, request: Request, next: middleware::Next) -> Response {
    let limit = if assets::handlers::is_upload(request.method(), request.uri().path()) {
        state.config.upload_timeout
    } else {
        state.config.request_timeout
    };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::Unavailable { detail: "The request took too long to be answered; try again.".into(), retry_after_secs: 5 }
            .into_response(),
    }
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    AppError::Internal(anyhow::anyhow!("a handler panicked")).into_response()
}

/// The customers' games (`/g/...`): public, answered from memory, and at the rate a shared link
/// can bring, so with only the layers they need: no per-request log line or request id.
fn games_router(state: AppState) -> Router {
    use axum::routing::get;
    Router::new()
        .route("/g/{slug}", get(urls::public::serve_page))
        .route("/g/{slug}/", get(urls::public::serve_page))
        .route("/g/{slug}/{build}/{file}", get(urls::public::serve_file))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers::add))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

pub fn router(state: AppState) -> Router {
    with_hub(state).0
}

/// The router, and its realtime hub's handle.
fn with_hub(state: AppState) -> (Router, socketioxide::SocketIo) {
    let hub = crate::realtime::hub(state.clone());
    let router = games_router(state.clone())
        .merge(studio_router(state))
        // Outermost: `/socket.io/` is answered by the hub before any other layer sees it.
        .layer(hub.layer)
        // The hub's event feed stops once the last copy of this router is gone.
        .layer(axum::Extension(hub.guard));
    (router, hub.io)
}

fn studio_router(state: AppState) -> Router {
    let (routes, spec) = api_routes().split_for_parts();
    let spec = crate::openapi::finish(spec);
    telemetry::metrics_handle();
    let request_id = HeaderName::from_static("x-request-id");
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            let path = telemetry::loggable_path(request.uri().path());
            tracing::info_span!("request", request_id = %id, method = %request.method(), path = %path, user_id = tracing::field::Empty)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    let docs: Router<AppState> = SwaggerUi::new("/api/docs")
        .url("/api/openapi.json", spec)
        // No validator badge: it would be fetched from swagger.io, and the docs must work offline.
        .config(utoipa_swagger_ui::Config::new(["/api/openapi.json"]).validator_url("none").persist_authorization(false))
        .into();
    routes
        .merge(docs.layer(middleware::from_fn(crate::encoding::compressed_once)))
        .route("/preview/{build}/{token}/", axum::routing::get(builds::preview::serve_index))
        .route("/preview/{build}/{token}/{file}", axum::routing::get(builds::preview::serve_file))
        .fallback(crate::web::serve)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), crate::idempotency::layer))
        // Outside the idempotency layer, which keeps answers as they were made.
        .layer(middleware::from_fn(crate::encoding::answers::compress))
        .layer(middleware::from_fn(telemetry::track))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers::add))
        .layer(DefaultBodyLimit::max(state.config.max_json_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), deadline))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(trace)
        .layer(SetSensitiveRequestHeadersLayer::new([axum::http::header::AUTHORIZATION, axum::http::header::COOKIE]))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// `PETPIXEL_METRICS_BIND`'s router: `/metrics` for a scraper on a private address, nothing else.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            axum::routing::get(
                |axum::extract::State(state): axum::extract::State<AppState>| async move { telemetry::render(&state).await },
            ),
        )
        .with_state(state)
}

/// Serves `/metrics` on `PETPIXEL_METRICS_BIND`, when set, until SIGTERM or Ctrl-C: for `serve`
/// and for `worker`, whose job counters a scraper reads the same way.
pub async fn serve_metrics(state: &AppState) -> anyhow::Result<()> {
    let Some(metrics_bind) = state.config.metrics_bind else { return Ok(()) };
    let metrics_listener = tokio::net::TcpListener::bind(metrics_bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {metrics_bind} for metrics: {e}"))?;
    tracing::info!(address = %metrics_listener.local_addr()?, "serving /metrics without authentication");
    let metrics = metrics_router(state.clone());
    tokio::spawn(async move {
        if let Err(e) = axum::serve(metrics_listener, metrics).with_graceful_shutdown(shutdown_signal()).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    Ok(())
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let bind = state.config.bind;
    let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
    tracing::info!(address = %listener.local_addr()?, database = state.db.backend_name(), "PetPixel Studio is listening");
    serve_metrics(&state).await?;
    // The worker stops taking jobs on the same signal; the one it runs may finish, within a bound.
    let worker =
        state.config.run_worker.then(|| tokio::spawn(crate::jobs::Worker::new(state.clone(), job_registry()).run(shutdown_signal())));
    let flusher = tokio::spawn(crate::urls::views::run_flusher(
        state.views.clone(),
        state.db.clone(),
        state.config.view_flush_interval,
        shutdown_signal(),
    ));
    let (app, io) = with_hub(state.clone());
    // Sockets outlive requests: close them when shutdown begins, and their clients reconnect to
    // another process (or to this one's successor).
    tokio::spawn(async move {
        shutdown_signal().await;
        io.close().await;
    });
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown_signal()).await?;
    // Every request has been answered: the views they counted are written now.
    let _ = flusher.await;
    match state.views.flush(&state.db).await {
        Ok(n) => tracing::info!(views = n, "game views written"),
        Err(e) => tracing::error!(error = %e, "game views could not be written at shutdown"),
    }
    if let Some(worker) = worker {
        if tokio::time::timeout(std::time::Duration::from_secs(30), worker).await.is_err() {
            tracing::warn!("the running job did not finish in 30 s; its lease will hand it to the next worker");
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
