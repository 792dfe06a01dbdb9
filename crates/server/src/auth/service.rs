//! Logging in, refreshing, logging out, and recognising the caller of each request.

use chrono::{DateTime, Utc};
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::auth::{AuthMethod, LoginRequest, TokenResponse};
use petpixel_types::Permissions;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use uuid::Uuid;

use super::secret::{self, API_TOKEN_PREFIX};
use super::sessions::{end as end_sessions, Ended};
use super::throttle;
use crate::activity::{self, Audit, NewEntry};
use crate::actor::{Actor, ClientInfo};
use crate::cache::{Credential, CredentialKey};
use crate::entities::{api_tokens, refresh_tokens, sessions, users};
use crate::error::{ApiResult, AppError};
use crate::state::AppState;
use crate::users::model as user_model;

const BAD_CREDENTIALS: &str = "Wrong e-mail address or password.";
/// An API token's `last_used_at` is written at most this often, to keep writes off the read path.
const LAST_USED_RESOLUTION_SECS: i64 = 60;

/// Recognises a bearer token: an API token (`pp_...`) or a JWT access token.
pub async fn authenticate(state: &AppState, token: &str, client: ClientInfo) -> ApiResult<Actor> {
    if token.starts_with(API_TOKEN_PREFIX) {
        return authenticate_api_token(state, token, client).await;
    }
    let claims = state.jwt.verify(token).ok_or_else(|| AppError::unauthorized("The access token is invalid or has expired."))?;
    session_actor(state, claims.sid, claims.sub, client).await
}

/// The caller of login session `sid` (of user `sub`), if the session still holds: a socket
/// opened with a now-expired access token is re-checked this way, by its session.
pub async fn session_actor(state: &AppState, sid: Uuid, sub: Uuid, client: ClientInfo) -> ApiResult<Actor> {
    let ended = || AppError::unauthorized("This session no longer exists; log in again.");
    let credential = state
        .caches
        .credentials
        .get_or_load(CredentialKey::Session(sid), || async {
            let (session, user) = sessions::Entity::find_by_id(sid)
                .find_also_related(users::Entity)
                .one(&state.db.conn)
                .await?
                .and_then(|(s, u)| Some((s, u?)))
                .ok_or_else(ended)?;
            Ok::<_, AppError>(Arc::new(Credential::Session { session, user }))
        })
        .await?;
    let Credential::Session { session, user } = &*credential else { return Err(ended()) };
    // The account's state first: deactivation also ends the sessions, and says more.
    if !user.active {
        return Err(AppError::unauthorized("This account has been deactivated."));
    }
    if session.user_id != sub || session.revoked_at.is_some() {
        return Err(AppError::unauthorized("This session has ended; log in again."));
    }
    // An access token never outlives its session: once the session's time is up (idle past its
    // refresh token's life, or at its maximum lifetime), its tokens stop, whatever their own `exp`.
    if Utc::now() >= session_ends_at(state, session) {
        return Err(AppError::unauthorized("This session has expired; log in again."));
    }
    let permissions = user_model::permissions_of(user)?;
    actor(user, permissions, AuthMethod::Session, Some(session.id), client)
}

/// When a session stops being good, unless a refresh moves it on (never past its maximum lifetime).
pub fn session_ends_at(state: &AppState, session: &sessions::Model) -> DateTime<Utc> {
    session.expires_at.min(session_end(state, session.created_at))
}

/// When the credential a socket connected with stops being good as things stand: its session's
/// end, or its API token's expiry. Checked again then (a refresh may have moved it on).
pub async fn credential_ends_at(
    state: &AppState,
    session_id: Option<Uuid>,
    api_token_id: Option<Uuid>,
) -> ApiResult<Option<DateTime<Utc>>> {
    if let Some(sid) = session_id {
        let session = sessions::Entity::find_by_id(sid).one(&state.db.conn).await?;
        return Ok(session.map(|s| session_ends_at(state, &s)));
    }
    if let Some(id) = api_token_id {
        return Ok(api_tokens::Entity::find_by_id(id).one(&state.db.conn).await?.map(|t| t.expires_at));
    }
    Ok(None)
}

async fn authenticate_api_token(state: &AppState, token: &str, client: ClientInfo) -> ApiResult<Actor> {
    let invalid = || AppError::unauthorized("The API token is invalid, expired or revoked.");
    let (id, secret) = secret::parse_api_token(token).ok_or_else(invalid)?;
    let credential = state
        .caches
        .credentials
        .get_or_load(CredentialKey::ApiToken(id), || async {
            let (token, user) = api_tokens::Entity::find_by_id(id)
                .find_also_related(users::Entity)
                .one(&state.db.conn)
                .await?
                .and_then(|(t, u)| Some((t, u?)))
                .ok_or_else(invalid)?;
            let last_used = AtomicI64::new(token.last_used_at.map_or(0, |t| t.timestamp()));
            Ok::<_, AppError>(Arc::new(Credential::ApiToken { token, user, last_used }))
        })
        .await?;
    let Credential::ApiToken { token: row, user, last_used } = &*credential else { return Err(invalid()) };
    let now = Utc::now();
    if !secret::digest_matches(secret, &row.token_hash) || row.revoked_at.is_some() || row.expires_at <= now {
        return Err(invalid());
    }
    if !user.active {
        return Err(AppError::unauthorized("This account has been deactivated."));
    }
    // One request per resolution period writes it, however many arrive at once.
    let last = last_used.load(Ordering::Relaxed);
    if now.timestamp() - last >= LAST_USED_RESOLUTION_SECS
        && last_used.compare_exchange(last, now.timestamp(), Ordering::Relaxed, Ordering::Relaxed).is_ok()
    {
        api_tokens::Entity::update_many()
            .col_expr(api_tokens::Column::LastUsedAt, Expr::value(now))
            .filter(api_tokens::Column::Id.eq(row.id))
            .exec(&state.db.conn)
            .await?;
    }
    let scopes = crate::api_tokens::model::scopes_of(row)?;
    let permissions = user_model::permissions_of(user)?.restrict_to(&scopes);
    actor(user, permissions, AuthMethod::ApiToken, None, client)
}

fn actor(
    user: &users::Model,
    permissions: Permissions,
    method: AuthMethod,
    session_id: Option<Uuid>,
    client: ClientInfo,
) -> ApiResult<Actor> {
    Ok(Actor { user_id: user.id, role: user_model::role_of(user)?, email: user.email.clone(), permissions, method, session_id, client })
}

pub async fn login(state: &AppState, request: &LoginRequest, client: ClientInfo) -> ApiResult<TokenResponse> {
    request.validate()?;
    let email = request.email.trim().to_lowercase();
    let now = Utc::now();
    let attempt = throttle::begin(state, &email, &client, now).await?;

    let user = users::Entity::find().filter(users::Column::Email.eq(&email)).one(&state.db.conn).await?;
    let (attempt, verified) = attempt.verify(state, request.password.clone(), user.as_ref().map(|u| u.password_hash.clone())).await?;
    let user = match user {
        // A deactivated account answers like a wrong password: the right one is not confirmed.
        Some(user) if verified && user.active => user,
        Some(user) => {
            let action = if verified { "user.login_refused_deactivated" } else { "user.login_failed" };
            attempt.failed(state, Some(user.id), action, &client).await?;
            return Err(AppError::unauthorized(BAD_CREDENTIALS));
        }
        None => {
            attempt.failed(state, None, "user.login_failed", &client).await?;
            return Err(AppError::unauthorized(BAD_CREDENTIALS));
        }
    };

    let txn = state.db.begin_write().await?;
    attempt.succeeded(&*txn, &client).await?;
    let session_id = Uuid::now_v7();
    sessions::ActiveModel {
        id: Set(session_id),
        user_id: Set(user.id),
        ip_address: Set(client.ip.clone()),
        user_agent: Set(client.user_agent.clone()),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(refresh_expiry(state, now, now)),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(&*txn)
    .await?;
    let expires_at = refresh_expiry(state, now, now);
    let refresh_token = issue_refresh_token(&*txn, session_id, now, expires_at).await?;
    let mut active: users::ActiveModel = user.into();
    active.last_login = Set(Some(now));
    let user = active.update(&*txn).await?;
    let audit = Audit::new(Some(user.id), Some(&user.email), &client);
    activity::record(
        &txn,
        &audit,
        NewEntry::new("user.logged_in", ActionType::Auth, ResourceType::User, user.id).details(json!({ "session_id": session_id })),
    )
    .await?;
    txn.commit().await?;
    token_response(state, user, session_id, refresh_token, expires_at - now)
}

pub async fn refresh(state: &AppState, raw: &str, client: ClientInfo) -> ApiResult<TokenResponse> {
    let invalid = || AppError::unauthorized("The refresh token is invalid or has expired; log in again.");
    let (id, secret) = secret::parse_refresh_token(raw).ok_or_else(invalid)?;
    let now = Utc::now();
    let txn = state.db.begin_write().await?;
    let (token, session) = refresh_tokens::Entity::find_by_id(id)
        .find_also_related(sessions::Entity)
        .one(&*txn)
        .await?
        .and_then(|(t, s)| Some((t, s?)))
        .ok_or_else(invalid)?;
    if !secret::digest_matches(secret, &token.token_hash) {
        return Err(invalid());
    }
    if session.revoked_at.is_some() {
        return Err(AppError::unauthorized("This session has ended; log in again."));
    }
    if now >= session_end(state, session.created_at) {
        return Err(AppError::unauthorized("This session has reached its time limit; log in again."));
    }
    // Rotation: the token is spent now. A second use means someone else holds a copy, so the
    // whole session ends; the conditional update makes two racing uses count as reuse too.
    let spent = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::UsedAt, Expr::value(now))
        .filter(refresh_tokens::Column::Id.eq(token.id))
        .filter(refresh_tokens::Column::UsedAt.is_null())
        .exec(&*txn)
        .await?
        .rows_affected
        == 1;
    if !spent {
        end_sessions(&*txn, Ended::One(session.id), "refresh_token_reused").await?;
        let audit = Audit::new(Some(session.user_id), None, &client);
        let entry = NewEntry::new("session.refresh_token_reused", ActionType::Auth, ResourceType::User, session.user_id)
            .details(json!({ "session_id": session.id }));
        activity::record(&txn, &audit, entry).await?;
        txn.commit().await?;
        return Err(AppError::unauthorized("This refresh token was already used, so its session has been ended; log in again."));
    }
    if token.expires_at <= now {
        return Err(invalid());
    }
    let user = users::Entity::find_by_id(session.user_id).one(&*txn).await?.ok_or_else(invalid)?;
    if !user.active {
        return Err(AppError::unauthorized("This account has been deactivated."));
    }
    let expires_at = refresh_expiry(state, session.created_at, now);
    let refresh_token = issue_refresh_token(&*txn, session.id, now, expires_at).await?;
    sessions::Entity::update_many()
        .col_expr(sessions::Column::LastUsedAt, Expr::value(now))
        .col_expr(sessions::Column::ExpiresAt, Expr::value(expires_at))
        .filter(sessions::Column::Id.eq(session.id))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    token_response(state, user, session.id, refresh_token, expires_at - now)
}

/// Ends the caller's session: its refresh token and every access token issued in it stop working.
pub async fn logout(state: &AppState, actor: &Actor) -> ApiResult<()> {
    let session_id =
        actor.session_id.ok_or_else(|| AppError::bad_request("API tokens do not log out; revoke them at /api/v1/api-tokens/{id}."))?;
    let txn = state.db.begin_write().await?;
    end_sessions(&*txn, Ended::One(session_id), "logout").await?;
    let entry =
        NewEntry::new("user.logged_out", ActionType::Auth, ResourceType::User, actor.user_id).details(json!({ "session_id": session_id }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    txn.commit().await?;
    Ok(())
}

async fn issue_refresh_token(
    conn: &impl ConnectionTrait,
    session_id: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> ApiResult<String> {
    let id = Uuid::now_v7();
    let secret = secret::random_secret();
    refresh_tokens::ActiveModel {
        id: Set(id),
        session_id: Set(session_id),
        token_hash: Set(secret::digest(&secret)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(secret::refresh_token(id, &secret))
}

fn refresh_ttl(state: &AppState) -> chrono::Duration {
    chrono::Duration::from_std(state.config.refresh_token_ttl).unwrap_or_else(|_| chrono::Duration::days(7))
}

/// When a session that began at `started` ends for good, however often it was refreshed.
fn session_end(state: &AppState, started: DateTime<Utc>) -> DateTime<Utc> {
    started + chrono::Duration::from_std(state.config.session_max_lifetime).unwrap_or_else(|_| chrono::Duration::days(30))
}

/// A refresh token issued `now` lives its usual time, but never past its session's end.
fn refresh_expiry(state: &AppState, started: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    (now + refresh_ttl(state)).min(session_end(state, started))
}

fn token_response(
    state: &AppState,
    user: users::Model,
    session_id: Uuid,
    refresh_token: String,
    refresh_lifetime: chrono::Duration,
) -> ApiResult<TokenResponse> {
    Ok(TokenResponse {
        access_token: state.jwt.issue(user.id, session_id)?,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl.as_secs(),
        refresh_token: Some(refresh_token),
        refresh_expires_in: refresh_lifetime.num_seconds().max(0) as u64,
        user: user_model::to_wire(&user)?,
    })
}
