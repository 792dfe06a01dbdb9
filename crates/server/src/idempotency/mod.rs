//! Idempotent writes: a `POST` under `/api/v1` with an `Idempotency-Key` header does its work once
//! per caller and key. The key is claimed (a row, in its own transaction) before the handler runs;
//! its answer (status, body, `Content-Type` and `Location`) is kept 24 hours and replayed, with
//! `Idempotency-Replayed: true`, to the same request again. The same key with another request
//! (method, path or body) is 422; while the first is still being answered, 409. A 5xx answer is
//! not kept, so the retry does the work. Multipart uploads stream past the JSON body limit and
//! are not buffered: the header is ignored there.
//!
//! The work's first committing change marks the key applied in its own transaction, naming what
//! it made (see `db::IdempotentWork`). A replica that dies after that commit, before the answer is
//! kept, leaves the mark: once the claim's lock runs out, a retry is answered `303 See Other`
//! with the `Location` of what the first request made (a client that follows it reads it back)
//! instead of doing the work twice.
//!
//! A kept answer is bound to the credential that made it (the login session or the API token,
//! not only the user) and replayed only while the caller still holds every permission it held
//! then. An answer that carries a secret (tokens, a webhook's signing secret) is never kept: its
//! handler marks it [`Secret`](crate::security_headers::Secret), and a retry learns that the work was done, not the secret.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Set};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::actor::ClientInfo;
use crate::db::idempotency_state::{APPLIED, IN_PROGRESS};
use crate::db::{IdempotentWork, IDEMPOTENT_WORK};
use crate::entities::idempotency_keys;
use crate::error::AppError;
use crate::security_headers::CarriesSecret;
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";
/// How long an answer is kept for replay.
pub const TTL_HOURS: i64 = 24;
/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// Deletes kept answers older than a day, hourly.
pub const PURGE: &str = "idempotency.purge";

const DONE: &str = "done";
/// Done, but the answer carried a secret and was not kept.
const WITHHELD: &str = "withheld";

pub fn register(registry: crate::jobs::Registry) -> crate::jobs::Registry {
    registry
        .register(PURGE, |state: AppState, _| async move {
            let cutoff = Utc::now() - Duration::hours(TTL_HOURS);
            let gone = idempotency_keys::Entity::delete_many()
                .filter(idempotency_keys::Column::CreatedAt.lt(cutoff))
                .exec(&state.db.conn)
                .await?
                .rows_affected;
            tracing::info!(gone, "expired idempotency keys deleted");
            Ok(())
        })
        .every(PURGE, std::time::Duration::from_secs(3600), PURGE, serde_json::Value::Null)
}

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let applies = request.method() == Method::POST
        && request.uri().path().starts_with("/api/v1/")
        && !is_multipart(request.headers())
        && request.headers().contains_key(HEADER);
    if !applies {
        return next.run(request).await;
    }
    run(&state, request, next).await.unwrap_or_else(IntoResponse::into_response)
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/"))
}

async fn run(state: &AppState, request: Request, next: Next) -> Result<Response, AppError> {
    let key = request.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or_default().to_owned();
    if key.is_empty() || key.len() > MAX_KEY_LEN || key.chars().any(char::is_control) {
        return Err(AppError::field("Idempotency-Key", "invalid", format!("Send 1 to {MAX_KEY_LEN} printable characters (a UUID, say).")));
    }
    // Keys are the caller's own: without credentials the handler answers (401), no key applies.
    let Some(token) = bearer(request.headers()) else { return Ok(next.run(request).await) };
    let client = ClientInfo::from_parts(&request_parts(&request), state.config.trusted_hops());
    let Ok(actor) = crate::auth::service::authenticate(state, &token, client).await else { return Ok(next.run(request).await) };
    let caller = Caller {
        user_id: actor.user_id,
        credential: match (actor.session_id, crate::auth::secret::parse_api_token(&token)) {
            (Some(session), _) => format!("session:{session}"),
            (None, Some((id, _))) => format!("token:{id}"),
            (None, None) => format!("user:{}", actor.user_id),
        },
        permissions: actor.permissions.clone(),
    };

    let (parts, body) = request.into_parts();
    let limit = state.config.max_json_body_bytes;
    let bytes = to_bytes(body, limit).await.map_err(|_| AppError::PayloadTooLarge(format!("The body is larger than {limit} bytes.")))?;
    let fingerprint = hex::encode(
        Sha256::new()
            .chain_update(parts.method.as_str())
            .chain_update([0])
            .chain_update(parts.uri.path_and_query().map_or("", |p| p.as_str()))
            .chain_update([0])
            .chain_update(&bytes)
            .finalize(),
    );

    match claim(state, &caller, &key, &fingerprint).await? {
        Claim::Mine => {}
        Claim::Kept(row) => return replay(*row, &caller, &fingerprint),
    }
    let work = IdempotentWork { user_id: caller.user_id, key: key.clone() };
    let response = IDEMPOTENT_WORK.scope(work, next.run(Request::from_parts(parts, Body::from(bytes)))).await;
    Ok(keep(state, caller.user_id, &key, response).await)
}

/// Who asks: the user, the credential they ask with, and what it may do now.
struct Caller {
    user_id: Uuid,
    credential: String,
    permissions: petpixel_types::Permissions,
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer "))?.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

/// The request's head, for the client address (the body is still to be read).
fn request_parts(request: &Request) -> axum::http::request::Parts {
    let mut builder = axum::http::Request::builder().method(request.method()).uri(request.uri()).version(request.version());
    if let Some(headers) = builder.headers_mut() {
        *headers = request.headers().clone();
    }
    let (mut parts, ()) = builder.body(()).map(|r| r.into_parts()).unwrap_or_else(|_| axum::http::Request::new(()).into_parts());
    parts.extensions = request.extensions().clone();
    parts
}

enum Claim {
    /// This request does the work.
    Mine,
    /// Another did, or is doing, it.
    Kept(Box<idempotency_keys::Model>),
}

/// Claims the key: a row in its own transaction. A row past its 24 hours is replaced; one whose
/// request died (its lock ran out while in progress) is taken over.
async fn claim(state: &AppState, caller: &Caller, key: &str, fingerprint: &str) -> Result<Claim, AppError> {
    let user_id = caller.user_id;
    let now = Utc::now();
    let txn = state.db.begin_write().await?;
    let existing = idempotency_keys::Entity::find_by_id((user_id, key.to_owned())).one(&*txn).await?;
    let stale = existing.as_ref().is_some_and(|row| {
        row.created_at < now - Duration::hours(TTL_HOURS)
            || (row.state == IN_PROGRESS && row.locked_until < now && row.request_hash == fingerprint)
    });
    if let (Some(row), false) = (&existing, stale) {
        return Ok(Claim::Kept(Box::new(row.clone())));
    }
    let row = idempotency_keys::ActiveModel {
        user_id: Set(user_id),
        key: Set(key.to_owned()),
        request_hash: Set(fingerprint.to_owned()),
        state: Set(IN_PROGRESS.into()),
        response_status: Set(None),
        response_body: Set(None),
        response_headers: Set(None),
        credential: Set(Some(caller.credential.clone())),
        permissions: Set(Some(serde_json::to_string(&caller.permissions).map_err(anyhow::Error::from)?)),
        // Past the request's own deadline, a claim still in progress was abandoned.
        locked_until: Set(now + Duration::from_std(state.config.request_timeout).unwrap_or(Duration::seconds(30)) + Duration::seconds(5)),
        created_at: Set(now),
        applied_type: Set(None),
        applied_id: Set(None),
    };
    let upsert = OnConflict::columns([idempotency_keys::Column::UserId, idempotency_keys::Column::Key])
        .update_columns([
            idempotency_keys::Column::RequestHash,
            idempotency_keys::Column::State,
            idempotency_keys::Column::ResponseStatus,
            idempotency_keys::Column::ResponseBody,
            idempotency_keys::Column::ResponseHeaders,
            idempotency_keys::Column::LockedUntil,
            idempotency_keys::Column::CreatedAt,
            idempotency_keys::Column::Credential,
            idempotency_keys::Column::Permissions,
            idempotency_keys::Column::AppliedType,
            idempotency_keys::Column::AppliedId,
        ])
        .to_owned();
    let insert = idempotency_keys::Entity::insert(row);
    // A fresh key: the database decides between two requests racing for it (one inserts, the
    // other conflicts and finds the first's claim).
    let written = if existing.is_some() {
        insert.on_conflict(upsert).exec_without_returning(&*txn).await?
    } else {
        insert
            .on_conflict(OnConflict::columns([idempotency_keys::Column::UserId, idempotency_keys::Column::Key]).do_nothing().to_owned())
            .exec_without_returning(&*txn)
            .await?
    };
    if written == 0 {
        let row = idempotency_keys::Entity::find_by_id((user_id, key.to_owned())).one(&*txn).await?;
        txn.commit().await?;
        return row
            .map(|r| Claim::Kept(Box::new(r)))
            .ok_or_else(|| AppError::conflict("Another request with this Idempotency-Key is being answered."));
    }
    txn.commit().await?;
    Ok(Claim::Mine)
}

fn replay(row: idempotency_keys::Model, caller: &Caller, fingerprint: &str) -> Result<Response, AppError> {
    if row.credential.as_deref().is_some_and(|c| c != caller.credential) {
        return Err(AppError::field(
            "Idempotency-Key",
            "other_credential",
            "This key was used with another of your sessions or API tokens; its answer is that credential's alone. Use a new key.",
        ));
    }
    if row.request_hash != fingerprint {
        return Err(AppError::field(
            "Idempotency-Key",
            "reused",
            "This key was used for another request (another endpoint or body); use a new key for a new request.",
        ));
    }
    if row.state == IN_PROGRESS {
        return Err(AppError::conflict("The first request with this Idempotency-Key is still being answered; retry in a moment."));
    }
    // The answer is replayed only to someone who may still have made the request.
    let held: Option<petpixel_types::Permissions> = row.permissions.as_deref().and_then(|p| serde_json::from_str(p).ok());
    if held.as_ref().is_none_or(|held| caller.permissions.first_missing(held).is_some()) {
        return Err(AppError::forbidden(
            "Your permissions have changed since this key's first request was answered; send the request again with a new key.",
        ));
    }
    if row.state == APPLIED {
        // Its lock still held: the first request may yet answer.
        if row.locked_until > Utc::now() {
            return Err(AppError::conflict("The first request with this Idempotency-Key is still being answered; retry in a moment."));
        }
        return match made_at(&row) {
            Some(location) => {
                let mut response = StatusCode::SEE_OTHER.into_response();
                if let Ok(value) = HeaderValue::from_str(&location) {
                    response.headers_mut().insert(header::LOCATION, value);
                }
                response.headers_mut().insert("idempotency-replayed", HeaderValue::from_static("true"));
                Ok(response)
            }
            None => Err(AppError::conflict(
                "The first request with this Idempotency-Key was done, but its answer was lost. \
                 List what it made to find it, or send a new key to make another.",
            )),
        };
    }
    if row.state == WITHHELD {
        let status = row.response_status.map(|s| s.to_string()).unwrap_or_default();
        return Err(AppError::conflict(format!(
            "The first request with this Idempotency-Key was answered ({status}); its answer carried a secret, which is never kept. \
             List what it made to find it, or send a new key to make another."
        )));
    }
    let status =
        row.response_status.and_then(|s| u16::try_from(s).ok()).and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::OK);
    let mut response = Response::new(Body::from(row.response_body.unwrap_or_default()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Some(kept) = row.response_headers.as_ref().and_then(|h| h.as_object()) {
        for (name, value) in kept {
            if let (Ok(name), Some(Ok(value))) = (name.parse::<header::HeaderName>(), value.as_str().map(HeaderValue::from_str)) {
                headers.insert(name, value);
            }
        }
    }
    headers.insert("idempotency-replayed", HeaderValue::from_static("true"));
    Ok(response)
}

/// Where what an applied request made is read: the resource its first change named.
fn made_at(row: &idempotency_keys::Model) -> Option<String> {
    use petpixel_types::activity::ResourceType;
    let id = row.applied_id?;
    let collection = match row.applied_type.as_deref()?.parse::<ResourceType>().ok()? {
        ResourceType::Project => "projects",
        ResourceType::Asset => "assets",
        ResourceType::Url => "urls",
        ResourceType::Build => "builds",
        ResourceType::User => "users",
        ResourceType::Webhook => "webhooks",
        ResourceType::ApiToken | ResourceType::Notification | ResourceType::Job => return None,
    };
    Some(format!("/api/v1/{collection}/{id}"))
}

/// Keeps the answer for replay. A server error lets the key go, so a retry does the work, unless
/// some of the work committed: then a retry is pointed at it at once.
async fn keep(state: &AppState, user_id: Uuid, key: &str, response: Response) -> Response {
    use idempotency_keys::Column;
    if response.status().is_server_error() {
        let mine = || Condition::all().add(Column::UserId.eq(user_id)).add(Column::Key.eq(key));
        let released = async {
            let txn = state.db.begin_write().await?;
            idempotency_keys::Entity::delete_many().filter(mine().add(Column::State.eq(IN_PROGRESS))).exec(&*txn).await?;
            idempotency_keys::Entity::update_many()
                .col_expr(Column::LockedUntil, Expr::value(Utc::now()))
                .filter(mine().add(Column::State.eq(APPLIED)))
                .exec(&*txn)
                .await?;
            txn.commit().await
        };
        if let Err(e) = released.await {
            tracing::error!(error = %e, "an idempotency key could not be released after a server error");
        }
        return response;
    }
    if response.extensions().get::<CarriesSecret>().is_some() {
        let withheld = idempotency_keys::ActiveModel {
            user_id: Set(user_id),
            key: Set(key.to_owned()),
            state: Set(WITHHELD.into()),
            response_status: Set(Some(i32::from(response.status().as_u16()))),
            ..Default::default()
        };
        let saved = async {
            let txn = state.db.begin_write().await?;
            idempotency_keys::Entity::update(withheld).exec(&*txn).await?;
            txn.commit().await
        };
        if let Err(e) = saved.await {
            tracing::error!(error = %e, "an idempotency key could not be marked done");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 16 * 1024 * 1024).await else {
        return AppError::Internal(anyhow::anyhow!("an answer could not be read to keep it")).into_response();
    };
    let mut kept = serde_json::Map::new();
    for name in [header::CONTENT_TYPE, header::LOCATION, header::ETAG] {
        if let Some(v) = parts.headers.get(&name).and_then(|v| v.to_str().ok()) {
            kept.insert(name.as_str().to_owned(), json!(v));
        }
    }
    let update = idempotency_keys::ActiveModel {
        user_id: Set(user_id),
        key: Set(key.to_owned()),
        state: Set(DONE.into()),
        response_status: Set(Some(i32::from(parts.status.as_u16()))),
        response_body: Set(Some(bytes.to_vec())),
        response_headers: Set(Some(serde_json::Value::Object(kept))),
        ..Default::default()
    };
    let saved = async {
        let txn = state.db.begin_write().await?;
        idempotency_keys::Entity::update(update).exec(&*txn).await?;
        txn.commit().await
    }
    .await;
    if let Err(e) = saved {
        // The work is done and answered; a retry would find the key in progress until its lock
        // runs out, then do it again. Logged: it needs the database back.
        tracing::error!(error = %e, "an idempotent answer could not be kept");
    }
    Response::from_parts(parts, Body::from(bytes))
}
