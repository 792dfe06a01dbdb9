use chrono::Utc;
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::api_token::{ApiToken, CreateApiToken, CreatedApiToken};
use petpixel_types::ValidationErrors;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use super::model::to_wire;
use crate::activity::{self, Audit, NewEntry};
use crate::actor::Actor;
use crate::auth::secret;
use crate::entities::api_tokens;
use crate::error::{ApiResult, AppError};
use crate::policy;
use crate::state::AppState;

/// The caller's live tokens, newest first.
pub async fn list(state: &AppState, actor: &Actor) -> ApiResult<Vec<ApiToken>> {
    policy::require_session(actor)?;
    let rows = api_tokens::Entity::find()
        .filter(api_tokens::Column::UserId.eq(actor.user_id))
        .filter(api_tokens::Column::RevokedAt.is_null())
        .filter(api_tokens::Column::ExpiresAt.gt(Utc::now()))
        .order_by_desc(api_tokens::Column::CreatedAt)
        .all(&state.db.conn)
        .await?;
    rows.iter().map(to_wire).collect()
}

pub async fn create(state: &AppState, actor: &Actor, request: &CreateApiToken) -> ApiResult<CreatedApiToken> {
    policy::require_session(actor)?;
    let new = request.validate()?;
    let mut errors = ValidationErrors::new();
    for scope in &new.scopes {
        if !actor.permissions.covers(scope) {
            errors.add("scopes", "exceeds_permissions", format!("`{scope}` is not among your own permissions."));
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let secret_part = secret::random_secret();
    let txn = state.db.begin_write().await?;
    let row = api_tokens::ActiveModel {
        id: Set(id),
        user_id: Set(actor.user_id),
        name: Set(new.name.clone()),
        scopes: Set(json!(new.scopes)),
        token_hash: Set(secret::digest(&secret_part)),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::days(i64::from(new.expires_in_days))),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&*txn)
    .await?;
    let entry = NewEntry::new("api_token.created", ActionType::Create, ResourceType::ApiToken, id)
        .details(json!({ "name": row.name, "scopes": row.scopes, "expires_at": row.expires_at }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    txn.commit().await?;
    Ok(CreatedApiToken { token: to_wire(&row)?, secret: secret::api_token(id, &secret_part) })
}

/// Revokes one of the caller's tokens (admins may revoke anyone's).
pub async fn revoke(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<()> {
    policy::require_session(actor)?;
    let txn = state.db.begin_write().await?;
    let token = api_tokens::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .filter(|t| t.revoked_at.is_none())
        .ok_or_else(|| AppError::not_found("API token"))?;
    if token.user_id != actor.user_id {
        // Someone else's token: only user administrators may know it exists.
        policy::require(actor, petpixel_types::Resource::Users, petpixel_types::Action::Update)
            .map_err(|_| AppError::not_found("API token"))?;
    }
    let name = token.name.clone();
    let mut model: api_tokens::ActiveModel = token.into();
    model.revoked_at = Set(Some(Utc::now()));
    model.update(&*txn).await?;
    activity::record(
        &txn,
        &Audit::from(actor),
        NewEntry::new("api_token.revoked", ActionType::Delete, ResourceType::ApiToken, id).details(json!({ "name": name })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Revokes every live token of a user (their account was deactivated).
pub async fn revoke_all(conn: &impl ConnectionTrait, user_id: Uuid) -> ApiResult<()> {
    api_tokens::Entity::update_many()
        .col_expr(api_tokens::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_tokens::Column::UserId.eq(user_id))
        .filter(api_tokens::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
