//! Failed-password throttling, kept in the database so that every server process shares it.
//!
//! Failures are counted per (e-mail, client address) and per client address: one address cannot
//! guess one account's password more than `login_max_failures` times, nor spray many accounts more
//! than `login_max_failures_per_client` times, while the account's owner, from their own address,
//! is never locked out by somebody else's failures.
//!
//! A try is reserved before the password is checked and counts as a failure until it is proven
//! right, and reserving counts and inserts under one lock, so N parallel tries get at most the
//! allowed number of guesses.

use chrono::{DateTime, Utc};
use petpixel_types::activity::{ActionType, ResourceType};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter, Set, Statement};
use serde_json::json;
use uuid::Uuid;

use crate::activity::{self, Audit, NewEntry};
use crate::actor::ClientInfo;
use crate::entities::login_attempts;
use crate::error::{ApiResult, AppError};
use crate::state::AppState;

/// A reserved try at a password.
#[must_use = "settle the attempt with `succeeded` or `failed`"]
pub struct Attempt {
    id: Uuid,
    email: String,
    /// This try took the last place: failing it locks the pair (or the address) out.
    last_allowed: bool,
}

fn window(state: &AppState) -> chrono::Duration {
    chrono::Duration::from_std(state.config.login_window).unwrap_or_else(|_| chrono::Duration::minutes(15))
}

/// Reserves a try for `email` from `client`, or refuses with 429 when either count is full.
pub async fn begin(state: &AppState, email: &str, client: &ClientInfo, now: DateTime<Utc>) -> ApiResult<Attempt> {
    let since = now - window(state);
    let ip = client.ip.clone();
    let txn = state.db.begin_write().await?;
    // SQLite's write lock already serialises this; PostgreSQL takes a lock per client address.
    if state.db.backend() == DatabaseBackend::Postgres {
        let key = ip.clone().unwrap_or_default();
        txn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [key.into()],
        ))
        .await?;
    }
    let from_client = || {
        let query = login_attempts::Entity::find().filter(login_attempts::Column::CreatedAt.gt(since));
        match &ip {
            Some(ip) => query.filter(login_attempts::Column::IpAddress.eq(ip.as_str())),
            None => query.filter(login_attempts::Column::IpAddress.is_null()),
        }
    };
    let for_pair = from_client().filter(login_attempts::Column::Email.eq(email)).count(&*txn).await?;
    let for_client = from_client().count(&*txn).await?;
    let (max_pair, max_client) = (u64::from(state.config.login_max_failures), u64::from(state.config.login_max_failures_per_client));
    let pair_full = max_pair > 0 && for_pair >= max_pair;
    let client_full = max_client > 0 && for_client >= max_client;
    if pair_full || client_full {
        drop(txn);
        let retry_after_secs = (state.config.login_window.as_secs()).max(1);
        let detail = if pair_full {
            "Too many failed tries for this account from your address; try again later."
        } else {
            "Too many failed tries from your address; try again later."
        };
        return Err(AppError::TooManyRequests { detail: detail.into(), retry_after_secs });
    }
    let id = Uuid::now_v7();
    login_attempts::ActiveModel { id: Set(id), email: Set(email.to_owned()), ip_address: Set(ip), created_at: Set(now) }
        .insert(&*txn)
        .await?;
    txn.commit().await?;
    let last_allowed = (max_pair > 0 && for_pair + 1 == max_pair) || (max_client > 0 && for_client + 1 == max_client);
    Ok(Attempt { id, email: email.to_owned(), last_allowed })
}

impl Attempt {
    /// Checks `password` against `stored` (`None`: no such account, checked all the same) as this
    /// try. When the hasher turns it away for load the password was never tried, so the try is
    /// withdrawn and does not count.
    pub async fn verify(self, state: &AppState, password: String, stored: Option<String>) -> ApiResult<(Self, bool)> {
        match state.hasher.verify(password, stored).await {
            Ok(verified) => Ok((self, verified)),
            Err(e) => {
                login_attempts::Entity::delete_by_id(self.id).exec(&state.db.conn).await?;
                Err(e)
            }
        }
    }

    /// The password was right: the reservation goes, and so do this pair's earlier failures.
    pub async fn succeeded(self, conn: &impl ConnectionTrait, client: &ClientInfo) -> ApiResult<()> {
        let pair = login_attempts::Entity::delete_many().filter(login_attempts::Column::Email.eq(&self.email));
        let pair = match &client.ip {
            Some(ip) => pair.filter(login_attempts::Column::IpAddress.eq(ip.as_str())),
            None => pair.filter(login_attempts::Column::IpAddress.is_null()),
        };
        pair.exec(conn).await?;
        login_attempts::Entity::delete_by_id(self.id).exec(conn).await?;
        Ok(())
    }

    /// The password was wrong: the reservation stays as a failure, and the activity log says so
    /// (where from, never the password), and says when this failure locked the address out.
    pub async fn failed(self, state: &AppState, user_id: Option<Uuid>, action: &'static str, client: &ClientInfo) -> ApiResult<()> {
        let txn = state.db.begin_write().await?;
        let audit = Audit::new(user_id, None, client);
        let entry = |action| NewEntry::about(action, ActionType::Auth, ResourceType::User, user_id).details(json!({ "email": self.email }));
        activity::record(&txn, &audit, entry(action)).await?;
        if self.last_allowed {
            activity::record(&txn, &audit, entry("user.login_locked_out")).await?;
        }
        let stale = Utc::now() - window(state);
        login_attempts::Entity::delete_many().filter(login_attempts::Column::CreatedAt.lt(stale)).exec(&*txn).await?;
        txn.commit().await?;
        Ok(())
    }
}
