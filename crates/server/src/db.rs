//! The database: connecting to SQLite or PostgreSQL, migrating, and write transactions.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use petpixel_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    DatabaseBackend, DatabaseConnection, DatabaseTransaction, ExprTrait, SqlxPostgresConnector, SqlxSqliteConnector, TransactionTrait,
};
use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::{Mutex, OwnedMutexGuard};

use petpixel_types::event::{Event, Payload};

use crate::config::Config;
use crate::events::Bus;

/// The connection pool, plus on SQLite a lock that lets one write transaction run at a time:
/// SQLite has a single writer, and a deferred transaction that upgrades to writing would fail with
/// "database is locked" instead of waiting its turn.
#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    write_lock: Option<Arc<Mutex<()>>>,
    /// Where committed changes are told.
    pub bus: Bus,
    /// Writes what must follow committed changes durably (webhook deliveries), inside their
    /// transaction.
    outbox: Option<Arc<dyn Outbox>>,
}

/// Told of a write transaction's events just before it commits, on the transaction itself: what
/// it writes commits with the change or not at all.
pub trait Outbox: Send + Sync {
    fn write<'a>(&'a self, txn: &'a DatabaseTransaction, events: &'a [Event])
        -> futures::future::BoxFuture<'a, Result<(), sea_orm::DbErr>>;
}

tokio::task_local! {
    /// The `Idempotency-Key` the current request is answered under (see `idempotency`).
    pub static IDEMPOTENT_WORK: IdempotentWork;
}

/// A request's claim of an `Idempotency-Key`. The first transaction of its work that changes
/// something marks the key applied, naming what it changed, before it commits: should the process
/// die before the answer is kept, the retry finds the mark instead of a claim it may take over.
#[derive(Clone, Debug)]
pub struct IdempotentWork {
    pub user_id: uuid::Uuid,
    pub key: String,
}

/// A claimed key's states, as `idempotency_keys.state` holds them.
pub mod idempotency_state {
    pub const IN_PROGRESS: &str = "in_progress";
    /// The work committed; its answer is not kept (yet).
    pub const APPLIED: &str = "applied";
}

impl IdempotentWork {
    async fn mark_applied(&self, txn: &DatabaseTransaction, first: &Event) -> Result<(), sea_orm::DbErr> {
        use crate::entities::idempotency_keys::{Column, Entity};
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        // Only the first change names the work: a later transaction of the same request leaves it.
        Entity::update_many()
            .col_expr(Column::State, Expr::value(idempotency_state::APPLIED))
            .col_expr(Column::AppliedType, Expr::value(first.resource_type.as_str()))
            .col_expr(Column::AppliedId, Expr::value(first.resource_id))
            .filter(Column::UserId.eq(self.user_id))
            .filter(Column::Key.eq(self.key.as_str()))
            .filter(Column::State.eq(idempotency_state::IN_PROGRESS))
            .exec(txn)
            .await?;
        Ok(())
    }
}

/// A write transaction; on SQLite it holds the write lock until committed or dropped. It collects
/// the events of its changes and publishes them once it has committed.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    guard: Option<OwnedMutexGuard<()>>,
    events: std::sync::Mutex<Vec<Event>>,
    /// Resources' states after the change, for the events about them.
    payloads: std::sync::Mutex<Vec<Payload>>,
    bus: Bus,
    outbox: Option<Arc<dyn Outbox>>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

impl WriteTxn {
    /// Commits, lets the next writer in, then publishes the collected events. A transaction
    /// dropped without commit rolls back and publishes nothing.
    pub async fn commit(self) -> Result<(), sea_orm::DbErr> {
        let WriteTxn { txn, guard, events, payloads, bus, outbox } = self;
        let mut events = events.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        let payloads = payloads.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        for event in events.iter_mut().filter(|e| e.payload.is_none()) {
            // The last state attached for the resource is the one it was left in.
            event.payload =
                payloads.iter().rev().find(|p| p.resource_type() == event.resource_type && Some(p.id()) == event.resource_id).cloned();
        }
        if let (Some(outbox), false) = (&outbox, events.is_empty()) {
            outbox.write(&txn, &events).await?;
        }
        if let (Ok(work), Some(first)) = (IDEMPOTENT_WORK.try_with(Clone::clone), events.first()) {
            work.mark_applied(&txn, first).await?;
        }
        txn.commit().await?;
        drop(guard);
        if !events.is_empty() {
            bus.publish(events).await;
        }
        Ok(())
    }

    /// An event to publish if, and once, this transaction commits.
    pub fn stage(&self, event: Event) {
        self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(event);
    }

    /// A resource's state after this change: the events about it carry it, so that no listener
    /// (a browser tab, say) has to read it back.
    pub fn attach(&self, payload: Payload) {
        self.payloads.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(payload);
    }
}

/// Redis when `REDIS_URL` is set, else the process's memory.
async fn bus(config: &Config) -> anyhow::Result<Bus> {
    match &config.redis_url {
        Some(url) => Bus::redis(url.expose_secret(), &config.events_channel).await.context("connecting to REDIS_URL"),
        None => Ok(Bus::memory()),
    }
}

impl Db {
    pub async fn connect(config: &Config) -> anyhow::Result<Self> {
        let url = config.database_url.expose_secret();
        if config.is_sqlite() {
            if let Some(dir) = sqlite_parent_dir(url) {
                std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            let options = SqliteConnectOptions::from_str(url)
                .context("DATABASE_URL is not a valid SQLite URL")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                // Reads are the hot path: keep pages in memory and map the file rather than
                // copying each page through read().
                .pragma("cache_size", "-65536")
                .pragma("mmap_size", "268435456")
                .pragma("temp_store", "memory");
            let pool = SqlitePoolOptions::new()
                .max_connections(config.database_max_connections)
                .min_connections(1)
                // A ping before every query doubles the thread hops per query; a broken
                // connection still fails its query and is replaced.
                .test_before_acquire(false)
                // An in-memory database lives as long as its connection: keep it.
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .context("opening the SQLite database")?;
            Ok(Db {
                conn: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
                write_lock: Some(Arc::new(Mutex::new(()))),
                bus: bus(config).await?,
                outbox: None,
            })
        } else {
            let options = PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid PostgreSQL URL")?;
            let pool = PgPoolOptions::new()
                .max_connections(config.database_max_connections)
                // A request waits at most this long for a connection: with PostgreSQL down or
                // restarting, it answers 503 within a second instead of hanging.
                .acquire_timeout(config.database_acquire_timeout)
                // One network round trip per query instead of two; a dead connection still fails
                // its query, which the pool then replaces.
                .test_before_acquire(false)
                .connect_with(options)
                .await
                .context("connecting to PostgreSQL")?;
            Ok(Db { conn: SqlxPostgresConnector::from_sqlx_postgres_pool(pool), write_lock: None, bus: bus(config).await?, outbox: None })
        }
    }

    /// Sets what each write transaction's events are written to before it commits.
    pub fn with_outbox(mut self, outbox: Arc<dyn Outbox>) -> Self {
        self.outbox = Some(outbox);
        self
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        Migrator::up(&self.conn, None).await.context("running database migrations")
    }

    pub async fn begin_write(&self) -> Result<WriteTxn, sea_orm::DbErr> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        // IMMEDIATE on SQLite: the write lock is taken at BEGIN (waiting `busy_timeout` for
        // another process's writer) rather than on the first write, where a transaction that has
        // read an older snapshot could only fail ("database is locked", SQLITE_BUSY_SNAPSHOT).
        let options = sea_orm::TransactionOptions {
            sqlite_transaction_mode: self.write_lock.as_ref().map(|_| sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(WriteTxn {
            txn: self.conn.begin_with_options(options).await?,
            guard,
            events: Default::default(),
            payloads: Default::default(),
            bus: self.bus.clone(),
            outbox: self.outbox.clone(),
        })
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend() {
            DatabaseBackend::Sqlite => "sqlite",
            DatabaseBackend::Postgres => "postgres",
            _ => "other",
        }
    }

    /// (connections in the pool, idle ones) for the metrics.
    pub fn pool_stats(&self) -> (u32, usize) {
        match self.backend() {
            DatabaseBackend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DatabaseBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        }
    }
}

fn sqlite_parent_dir(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.contains(":memory:") || path.starts_with("file:") {
        return None;
    }
    std::path::Path::new(path).parent().map(|p| p.to_path_buf()).filter(|p| !p.as_os_str().is_empty())
}

/// Whether a database error is a unique-constraint violation (a duplicate e-mail, slug, ...).
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

/// `LOWER(col) LIKE '%words%'`, with the user's `%` and `_` taken literally; the same on SQLite
/// and PostgreSQL.
pub fn contains_ci<C: sea_orm::sea_query::IntoColumnRef>(col: C, words: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, Func, LikeExpr};
    let escaped: String =
        words.to_lowercase().chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// A value read back from a column. One the code does not know (a newer release's, a hand edit)
/// is an error naming the column, never quietly read as some other value.
pub fn stored<T: std::str::FromStr<Err = String>>(column: &str, value: &str) -> Result<T, crate::error::AppError> {
    value.parse().map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!("{column} holds an unknown value: {e}")))
}

/// A JSON column read back as `T`; a shape the code does not know is an error naming the column.
pub fn stored_json<T: serde::de::DeserializeOwned>(column: &str, value: &serde_json::Value) -> Result<T, crate::error::AppError> {
    serde_json::from_value(value.clone()).map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!("{column} holds {value}: {e}")))
}
