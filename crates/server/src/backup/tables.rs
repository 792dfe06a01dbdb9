//! Every table a backup holds, in an order where each row's references come before it, read and
//! written through its entity: a row from SQLite goes into PostgreSQL with the same values.

use std::marker::PhantomData;

use futures::future::BoxFuture;
use futures::StreamExt;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, Iterable, PaginatorTrait, PrimaryKeyToColumn,
    QueryOrder,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::archive::ArchiveWriter;
use crate::entities as e;

/// Rows per archive entry: bounds what a dump holds in memory.
const CHUNK_ROWS: usize = 5_000;
/// Rows per INSERT: well under either engine's limit on bound values for the widest table.
const INSERT_ROWS: usize = 200;

pub trait Table: Send + Sync {
    fn name(&self) -> &'static str;

    /// Writes every row, in primary-key order, as JSON lines in entries `db/<table>/<n>.jsonl`;
    /// the number of rows.
    fn dump<'a>(&'a self, txn: &'a DatabaseTransaction, out: &'a ArchiveWriter) -> BoxFuture<'a, anyhow::Result<u64>>;

    /// Inserts the rows of one such entry; how many.
    fn insert<'a>(&'a self, txn: &'a DatabaseTransaction, jsonl: &'a [u8]) -> BoxFuture<'a, anyhow::Result<u64>>;

    fn count<'a>(&'a self, conn: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<u64>>;

    /// Copies every row missing from `to` (by primary key) from `from`; how many were copied.
    fn copy<'a>(&'a self, from: &'a DatabaseTransaction, to: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<u64>>;

    /// The rows' count and a SHA-256 over them in primary-key order, timestamps to the
    /// microsecond (what PostgreSQL keeps): equal on two databases holding the same rows.
    fn digest<'a>(&'a self, txn: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<(u64, String)>>;

    /// Every row as the archive holds it, in primary-key order (to compare two databases).
    fn rows<'a>(&'a self, txn: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<Vec<serde_json::Value>>>;

    /// Deletes every row (a restore told to replace what is there).
    fn clear<'a>(&'a self, txn: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<()>>;
}

fn ordered<E: EntityTrait>() -> sea_orm::Select<E> {
    let mut select = E::find();
    for key in E::PrimaryKey::iter() {
        select = select.order_by_asc(key.into_column());
    }
    select
}

struct Of<E>(&'static str, PhantomData<fn() -> E>);

impl<E> Table for Of<E>
where
    E: EntityTrait,
    E::Model: Serialize + DeserializeOwned + IntoActiveModel<E::ActiveModel> + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    fn name(&self) -> &'static str {
        self.0
    }

    fn dump<'a>(&'a self, txn: &'a DatabaseTransaction, out: &'a ArchiveWriter) -> BoxFuture<'a, anyhow::Result<u64>> {
        Box::pin(async move {
            let mut rows = ordered::<E>().stream(txn).await?;
            let (mut total, mut chunk, mut in_chunk, mut buf) = (0u64, 0u32, 0usize, Vec::new());
            while let Some(row) = rows.next().await {
                serde_json::to_writer(&mut buf, &row?)?;
                buf.push(b'\n');
                total += 1;
                in_chunk += 1;
                if in_chunk == CHUNK_ROWS {
                    chunk += 1;
                    out.file(format!("{}{}/{chunk:06}.jsonl", super::DB, self.0), std::mem::take(&mut buf)).await?;
                    in_chunk = 0;
                }
            }
            if in_chunk > 0 {
                chunk += 1;
                out.file(format!("{}{}/{chunk:06}.jsonl", super::DB, self.0), buf).await?;
            }
            Ok(total)
        })
    }

    fn insert<'a>(&'a self, txn: &'a DatabaseTransaction, jsonl: &'a [u8]) -> BoxFuture<'a, anyhow::Result<u64>> {
        Box::pin(async move {
            let mut batch = Vec::with_capacity(INSERT_ROWS);
            let mut total = 0u64;
            for (n, line) in jsonl.split(|b| *b == b'\n').filter(|l| !l.is_empty()).enumerate() {
                let model: E::Model = serde_json::from_slice(line)
                    .map_err(|e| anyhow::anyhow!("{}: row {} does not fit this version's table: {e}", self.0, n + 1))?;
                // Every column written as it was, not only the changed ones.
                batch.push(model.into_active_model().reset_all());
                if batch.len() == INSERT_ROWS {
                    total += batch.len() as u64;
                    E::insert_many(std::mem::take(&mut batch)).exec_without_returning(txn).await?;
                }
            }
            if !batch.is_empty() {
                total += batch.len() as u64;
                E::insert_many(batch).exec_without_returning(txn).await?;
            }
            Ok(total)
        })
    }

    fn count<'a>(&'a self, txn: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<u64>> {
        Box::pin(async move { Ok(E::find().count(txn).await?) })
    }

    fn copy<'a>(&'a self, from: &'a DatabaseTransaction, to: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<u64>> {
        Box::pin(async move {
            let keys: Vec<E::Column> = E::PrimaryKey::iter().map(|k| k.into_column()).collect();
            let mut rows = ordered::<E>().stream(from).await?;
            let (mut copied, mut batch) = (0u64, Vec::with_capacity(INSERT_ROWS));
            loop {
                let row = rows.next().await.transpose()?;
                let end = row.is_none();
                if let Some(row) = row {
                    batch.push(row.into_active_model().reset_all());
                }
                if batch.len() == INSERT_ROWS || (end && !batch.is_empty()) {
                    let conflict = sea_orm::sea_query::OnConflict::columns(keys.clone()).do_nothing().to_owned();
                    copied += E::insert_many(std::mem::take(&mut batch)).on_conflict(conflict).exec_without_returning(to).await?;
                }
                if end {
                    return Ok(copied);
                }
            }
        })
    }

    fn digest<'a>(&'a self, txn: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<(u64, String)>> {
        Box::pin(async move {
            use sha2::Digest;
            let mut rows = ordered::<E>().stream(txn).await?;
            let (mut count, mut hash) = (0u64, sha2::Sha256::new());
            while let Some(row) = rows.next().await {
                let json = to_micros(serde_json::to_value(row?)?);
                hash.update(serde_json::to_vec(&json)?);
                hash.update(b"\n");
                count += 1;
            }
            Ok((count, hex::encode(hash.finalize())))
        })
    }

    fn rows<'a>(&'a self, txn: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<Vec<serde_json::Value>>> {
        Box::pin(async move {
            let rows = ordered::<E>().all(txn).await?;
            Ok(rows.iter().map(serde_json::to_value).collect::<Result<_, _>>()?)
        })
    }

    fn clear<'a>(&'a self, txn: &'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            E::delete_many().exec(txn).await?;
            Ok(())
        })
    }
}

macro_rules! tables {
    ($($module:ident),* $(,)?) => {
        /// Referenced tables first (restore inserts in this order, clears in the reverse).
        pub fn all() -> Vec<Box<dyn Table>> {
            vec![$(Box::new(Of::<e::$module::Entity>(stringify!($module), PhantomData))),*]
        }
    };
}

tables!(
    users,
    sessions,
    refresh_tokens,
    api_tokens,
    login_attempts,
    projects,
    project_assets,
    asset_versions,
    asset_uploads,
    builds,
    game_urls,
    url_daily_views,
    activity_logs,
    notifications,
    notification_preferences,
    email_outbox,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
    jobs,
    idempotency_keys,
);

/// Tables a backup leaves out: bookkeeping of the place, not the studio's data (which periodic
/// jobs ran in which period; the backups made here).
pub const NOT_KEPT: &[&str] = &["job_schedule_runs", "backups"];

/// The migrations a database has had, in order.
pub async fn migrations(conn: &impl ConnectionTrait) -> anyhow::Result<Vec<String>> {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Version {
        version: String,
    }
    let backend = conn.get_database_backend();
    let rows = Version::find_by_statement(Statement::from_string(backend, "SELECT version FROM seaql_migrations ORDER BY version"))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.version).collect())
}

/// `value` with every timestamp cut to whole microseconds, in one spelling.
pub fn to_micros(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(&s) {
            Ok(t) => Value::String(t.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
            Err(_) => Value::String(s),
        },
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, to_micros(v))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(to_micros).collect()),
        other => other,
    }
}
