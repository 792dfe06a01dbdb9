//! Sealing what is not yet sealed with the current key: projects from before sealing, or sealed
//! with a key since retired. Run as the server starts, in batches; a second run finds nothing to
//! do, and two processes starting at once each write a correct sealing of the same value.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::keys::context;
use crate::entities::projects;
use crate::state::AppState;

const BATCH: u64 = 500;

/// Seals every stale project; answers how many were sealed again.
pub async fn run(state: &AppState) -> anyhow::Result<u64> {
    let keys = &state.data_keys;
    let current = format!("sealed:v1:{}:%", keys.current_id());
    let mut sealed = 0u64;
    loop {
        use projects::Column as C;
        let stale = Condition::any()
            .add(C::CustomerEmail.not_like(&current))
            .add(C::CustomerEmailHash.is_null())
            .add(Condition::all().add(C::CustomerPhone.is_not_null()).add(C::CustomerPhone.not_like(&current)));
        let rows: Vec<(Uuid, String, Option<String>)> = projects::Entity::find()
            .select_only()
            .column(C::Id)
            .column(C::CustomerEmail)
            .column(C::CustomerPhone)
            .filter(stale)
            .order_by_asc(C::Id)
            .limit(BATCH)
            .into_tuple()
            .all(&state.db.conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        let txn = state.db.begin_write().await?;
        for (id, email, phone) in &rows {
            let email = keys.open(email, &context(*id, "customer_email"))?;
            let phone = phone.as_deref().map(|p| keys.open(p, &context(*id, "customer_phone"))).transpose()?;
            projects::Entity::update_many()
                .col_expr(C::CustomerEmail, Expr::value(keys.seal(&email, &context(*id, "customer_email"))))
                .col_expr(C::CustomerPhone, Expr::value(phone.map(|p| keys.seal(&p, &context(*id, "customer_phone")))))
                .col_expr(C::CustomerEmailHash, Expr::value(keys.lookup(&email)))
                .filter(C::Id.eq(*id))
                .exec(&*txn)
                .await?;
        }
        txn.commit().await?;
        sealed += rows.len() as u64;
    }
    if sealed > 0 {
        tracing::info!(projects = sealed, key = keys.current_id(), "customers' contact details sealed with the current key");
    }
    Ok(sealed)
}
