use chrono::Utc;
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::user::{CreateUser, NewUser, SetRole, UpdateUser, User, UserQuery};
use petpixel_types::{Action, Page, Permissions, Resource, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::model::{permissions_of, role_of, to_wire};
use crate::activity::{self, Audit, NewEntry};
use crate::actor::Actor;
use crate::actor::ClientInfo;
use crate::auth::sessions::{self, Ended};
use crate::auth::{password, throttle};
use crate::db::{contains_ci, is_unique_violation};
use crate::entities::users;
use crate::error::{ApiResult, AppError};
use crate::policy;
use crate::state::AppState;

pub async fn find(conn: &impl ConnectionTrait, id: Uuid) -> ApiResult<users::Model> {
    users::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::not_found("user"))
}

pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<User> {
    policy::require_read_user(actor, id)?;
    to_wire(&find(&state.db.conn, id).await?)
}

pub async fn list(state: &AppState, actor: &Actor, query: &UserQuery) -> ApiResult<Page<User>> {
    policy::require(actor, Resource::Users, Action::Read)?;
    let filter = query.validate()?;
    let mut cond = Condition::all();
    if let Some(role) = filter.role {
        cond = cond.add(users::Column::Role.eq(role.as_str()));
    }
    if let Some(active) = filter.active {
        cond = cond.add(users::Column::Active.eq(active));
    }
    if let Some(q) = &filter.q {
        cond = cond.add(
            Condition::any()
                .add(contains_ci(users::Column::Email, q))
                .add(contains_ci(users::Column::FirstName, q))
                .add(contains_ci(users::Column::LastName, q)),
        );
    }
    let query = users::Entity::find().filter(cond);
    let total = query.clone().count(&state.db.conn).await?;
    let rows = query
        .order_by_desc(users::Column::Active)
        .order_by_asc(Expr::cust("LOWER(COALESCE(first_name, '') || ' ' || COALESCE(last_name, ''))"))
        .order_by_asc(users::Column::Email)
        .limit(u64::from(filter.page.limit))
        .offset(filter.page.offset)
        .all(&state.db.conn)
        .await?;
    let items = rows.iter().map(to_wire).collect::<ApiResult<_>>()?;
    Ok(Page { items, total, limit: filter.page.limit, offset: filter.page.offset })
}

pub async fn create(state: &AppState, actor: &Actor, request: &CreateUser) -> ApiResult<User> {
    policy::require(actor, Resource::Users, Action::Create)?;
    let new = request.validate()?;
    policy::require_grant(actor, &Permissions::default(), new.role, &new.permissions)?;
    let email = new.email.normalized();
    reject_weak("password", &new.password, &[Some(&email), new.first_name.as_deref(), new.last_name.as_deref()])?;
    let hash = state.hasher.hash(new.password.clone()).await?;
    let txn = state.db.begin_write().await?;
    let user = insert(&*txn, &new, hash).await?;
    let entry = NewEntry::new("user.created", ActionType::Create, ResourceType::User, user.id)
        .details(json!({ "email": user.email, "role": user.role, "permissions": user.permissions }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    txn.commit().await?;
    to_wire(&user)
}

async fn insert(conn: &impl ConnectionTrait, new: &NewUser, password_hash: String) -> ApiResult<users::Model> {
    let now = Utc::now();
    let result = users::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email.normalized()),
        password_hash: Set(password_hash),
        first_name: Set(new.first_name.clone()),
        last_name: Set(new.last_name.clone()),
        avatar_url: Set(None),
        role: Set(new.role.as_str().to_owned()),
        permissions: Set(json!(new.permissions)),
        active: Set(true),
        last_login: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await;
    match result {
        Err(e) if is_unique_violation(&e) => {
            Err(AppError::Conflict { detail: "A user with this e-mail address already exists.".into(), alternatives: None })
        }
        other => Ok(other?),
    }
}

/// For `petpixel create-admin`: creates the admin, or makes an existing account an active admin
/// with the given password (the way back in for a locked-out team).
pub async fn create_or_reset_admin(state: &AppState, new: NewUser) -> anyhow::Result<(User, bool)> {
    let email = new.email.normalized();
    reject_weak("password", &new.password, &[Some(&email), new.first_name.as_deref(), new.last_name.as_deref()])?;
    let hash = state.hasher.hash(new.password.clone()).await?;
    let txn = state.db.begin_write().await?;
    let existing = users::Entity::find().filter(users::Column::Email.eq(new.email.normalized())).one(&*txn).await?;
    let client = ClientInfo::system("create-admin");
    let (user, created) = match existing {
        Some(user) => {
            let mut active: users::ActiveModel = user.into();
            active.role = Set(Role::Admin.as_str().into());
            active.password_hash = Set(hash);
            active.active = Set(true);
            active.updated_at = Set(Utc::now());
            (active.update(&*txn).await?, false)
        }
        None => (insert(&*txn, &NewUser { role: Role::Admin, ..new }, hash).await.map_err(|e| anyhow::anyhow!("{e}"))?, true),
    };
    let action = if created { "user.created" } else { "user.admin_reset" };
    let entry = NewEntry::new(action, if created { ActionType::Create } else { ActionType::Update }, ResourceType::User, user.id)
        .details(json!({ "email": user.email, "role": "admin", "via": "command line" }));
    activity::record(&txn, &Audit::new(None, None, &client), entry).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    txn.commit().await?;
    Ok((to_wire(&user)?, created))
}

/// A new password must be hard to guess, for someone who knows the person's e-mail address and
/// names too (existing users meet this rule the next time they change theirs).
fn reject_weak(field: &str, password: &str, personal: &[Option<&str>]) -> ApiResult<()> {
    let personal: Vec<&str> = personal.iter().flatten().copied().collect();
    match password::weakness(password, &personal) {
        Some((code, why)) => Err(AppError::field(field, code, why)),
        None => Ok(()),
    }
}

pub async fn update(state: &AppState, actor: &Actor, id: Uuid, request: &UpdateUser) -> ApiResult<User> {
    let target = find(&state.db.conn, id).await?;
    policy::require_update_user(actor, id, &permissions_of(&target)?, request)?;
    let changes = request.validate()?;
    let new_hash = match &changes.password {
        None => None,
        Some(new_password) => {
            if id == actor.user_id {
                check_current_password(state, actor, &target, changes.current_password.as_deref()).await?;
            }
            let first = changes.first_name.clone().flatten().or_else(|| target.first_name.clone());
            let last = changes.last_name.clone().flatten().or_else(|| target.last_name.clone());
            reject_weak("password", new_password, &[Some(&target.email), first.as_deref(), last.as_deref()])?;
            Some(state.hasher.hash(new_password.clone()).await?)
        }
    };

    let txn = state.db.begin_write().await?;
    let before = find(&*txn, id).await?;
    let mut model: users::ActiveModel = before.clone().into();
    if let Some(v) = changes.first_name {
        model.first_name = Set(v);
    }
    if let Some(v) = changes.last_name {
        model.last_name = Set(v);
    }
    if let Some(v) = changes.avatar_url {
        model.avatar_url = Set(v);
    }
    if let Some(hash) = new_hash {
        model.password_hash = Set(hash);
    }
    if let Some(active) = changes.active {
        if !active && role_of(&before)? == Role::Admin {
            ensure_other_admin(&*txn, id).await?;
        }
        model.active = Set(active);
    }
    if !model.is_changed() {
        return to_wire(&before);
    }
    model.updated_at = Set(Utc::now());
    let after = model.update(&*txn).await?;

    let mut diff = activity::diff(&json!(to_wire(&before)?), &json!(to_wire(&after)?), &["updated_at", "display_name"]);
    if changes.password.is_some() {
        diff.insert("password".into(), json!("changed"));
        // A new password ends the other sessions, in case the old one leaked.
        let keep = actor.session_id.filter(|_| id == actor.user_id);
        sessions::end(&*txn, Ended::AllOf { user_id: id, except: keep }, "password_changed").await?;
    }
    let action = match (before.active, after.active) {
        (true, false) => "user.deactivated",
        (false, true) => "user.reactivated",
        _ => "user.updated",
    };
    if !after.active {
        // Deactivation ends everything the account could act with; its API tokens do not come
        // back on reactivation. A password change keeps them: they are separate credentials.
        sessions::end(&*txn, Ended::AllOf { user_id: id, except: None }, "deactivated").await?;
        crate::api_tokens::service::revoke_all(&*txn, id).await?;
    }
    activity::record(&txn, &Audit::from(actor), NewEntry::new(action, ActionType::Update, ResourceType::User, id).changes(diff)).await?;
    txn.commit().await?;
    to_wire(&after)
}

/// Your own password change proves the current one; wrong guesses count like failed logins, so
/// a stolen session cannot try passwords without limit either.
async fn check_current_password(state: &AppState, actor: &Actor, me: &users::Model, current: Option<&str>) -> ApiResult<()> {
    let current = current.unwrap_or_default();
    if current.is_empty() {
        return Err(AppError::field("current_password", "required", "Enter your current password to set a new one."));
    }
    let attempt = throttle::begin(state, &me.email, &actor.client, Utc::now()).await?;
    match attempt.verify(state, current.to_owned(), Some(me.password_hash.clone())).await? {
        (attempt, true) => attempt.succeeded(&state.db.conn, &actor.client).await,
        (attempt, false) => {
            attempt.failed(state, Some(me.id), "user.password_check_failed", &actor.client).await?;
            Err(AppError::field("current_password", "incorrect", "That is not your current password."))
        }
    }
}

/// The team must keep at least one active admin. The active admins' rows stay locked until the
/// change commits, so two admins demoting each other at once cannot both pass this check (on
/// SQLite the write lock already runs one change at a time).
async fn ensure_other_admin(conn: &impl ConnectionTrait, except: Uuid) -> ApiResult<()> {
    let mut admins = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::Role.eq(Role::Admin.as_str()))
        .filter(users::Column::Active.eq(true));
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        admins = admins.lock_exclusive();
    }
    let ids: Vec<Uuid> = admins.into_tuple().all(conn).await?;
    if !ids.iter().any(|admin| *admin != except) {
        return Err(AppError::conflict("This is the last active admin; make someone else admin first."));
    }
    Ok(())
}

pub async fn set_role(state: &AppState, actor: &Actor, id: Uuid, request: &SetRole) -> ApiResult<User> {
    let permissions = request.normalized_permissions();
    let txn = state.db.begin_write().await?;
    let before = find(&*txn, id).await?;
    policy::require_grant(actor, &permissions_of(&before)?, request.role, &permissions)?;
    if role_of(&before)? == Role::Admin && request.role != Role::Admin && before.active {
        ensure_other_admin(&*txn, id).await?;
    }
    let mut model: users::ActiveModel = before.clone().into();
    model.role = Set(request.role.as_str().to_owned());
    model.permissions = Set(json!(permissions));
    model.updated_at = Set(Utc::now());
    let after = model.update(&*txn).await?;
    let diff = activity::diff(&json!(to_wire(&before)?), &json!(to_wire(&after)?), &["updated_at", "display_name"]);
    if !diff.is_empty() {
        activity::record(
            &txn,
            &Audit::from(actor),
            NewEntry::new("user.role_changed", ActionType::Update, ResourceType::User, id).changes(diff),
        )
        .await?;
    }
    txn.commit().await?;
    to_wire(&after)
}
