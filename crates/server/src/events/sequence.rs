//! Read-your-writes across processes. Caches are invalidated through Redis pub/sub, which reaches
//! other processes a moment after the write has answered: a read landing on another replica in
//! that moment would be served what the write replaced. So every event is numbered as it is
//! published (one Redis counter, incremented by the same script that publishes, so numbers and
//! deliveries keep one order), and a process trusts its caches only once it has heard the number
//! Redis holds now: a write that answered before the read began has a number no greater, and its
//! invalidation has then been applied here. One `GET` answers every read that began before it
//! went out, so a busy process pays one round trip per batch, not one per request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::ConnectionManager;
use tokio::sync::{watch, Notify};

/// How long a read waits for events Redis already numbered before it goes to the database.
const CATCH_UP: Duration = Duration::from_millis(50);
/// How long a read waits for Redis to tell the current number before it goes to the database.
const ASK: Duration = Duration::from_millis(250);

/// Publishes `ARGV[2]` (an event's JSON) on channel `ARGV[1]` with the next number of counter
/// `KEYS[1]` inserted as its first field `seq`, which readers that do not know it ignore.
pub(super) const PUBLISH: &str = r#"
local n = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], '{"seq":' .. n .. ',' .. string.sub(ARGV[2], 2))
return n
"#;

/// The number carried by an event message, if it has one.
#[derive(serde::Deserialize)]
pub(super) struct Numbered {
    pub seq: Option<u64>,
}

pub(super) struct Sequence {
    conn: ConnectionManager,
    pub key: String,
    /// The highest number whose event this process has applied.
    heard: AtomicU64,
    notify: Notify,
    /// The next `GET` of the counter, until it goes out: readers arriving meanwhile wait for it.
    round: Mutex<Option<watch::Receiver<Option<Option<u64>>>>>,
}

impl Sequence {
    pub fn new(conn: ConnectionManager, key: String) -> Arc<Self> {
        Arc::new(Sequence { conn, key, heard: AtomicU64::new(0), notify: Notify::new(), round: Mutex::new(None) })
    }

    /// Event `seq` has been applied (its listeners told).
    pub fn heard(&self, seq: u64) {
        self.heard.fetch_max(seq, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// The subscription ended: nothing counts as heard until it is back and the counter has been
    /// read again (should that read fail, the numbers heard from then on raise it afresh; a Redis
    /// that came back empty numbers from 1 again, below what was heard before).
    pub fn lost(&self) {
        self.heard.store(0, Ordering::SeqCst);
    }

    /// Resubscribed with every cache emptied: everything numbered until now is accounted for.
    /// Set, not raised: a Redis that restarted empty counts from 1 again.
    pub async fn resubscribed(&self) {
        let mut conn = self.conn.clone();
        match tokio::time::timeout(ASK, redis::cmd("GET").arg(&self.key).query_async::<Option<u64>>(&mut conn)).await {
            Ok(Ok(n)) => {
                self.heard.store(n.unwrap_or(0), Ordering::SeqCst);
                self.notify.notify_waiters();
            }
            other => tracing::warn!(result = ?other.map(|r| r.map_err(|e| e.to_string())), "the event counter could not be read"),
        }
    }

    /// Whether every event published before this call began has been applied here (waiting a
    /// little for those on their way); false when Redis cannot tell.
    pub async fn caught_up(self: &Arc<Self>) -> bool {
        let Some(target) = self.current().await else { return false };
        let reached = || self.heard.load(Ordering::SeqCst) >= target;
        if reached() {
            return true;
        }
        tokio::time::timeout(CATCH_UP, async {
            loop {
                let notified = self.notify.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if reached() {
                    return;
                }
                notified.await;
            }
        })
        .await
        .is_ok()
    }

    /// The counter's value as Redis holds it at some moment after this call began.
    async fn current(self: &Arc<Self>) -> Option<u64> {
        let mut answer = {
            let mut round = self.round.lock().unwrap_or_else(|p| p.into_inner());
            match &*round {
                Some(waiting) => waiting.clone(),
                None => {
                    let (tell, answer) = watch::channel(None);
                    *round = Some(answer.clone());
                    let this = self.clone();
                    tokio::spawn(async move {
                        // Whoever joined until here asked before the GET goes out; later
                        // readers start the next round.
                        this.round.lock().unwrap_or_else(|p| p.into_inner()).take();
                        let mut conn = this.conn.clone();
                        let got = tokio::time::timeout(ASK, redis::cmd("GET").arg(&this.key).query_async::<Option<u64>>(&mut conn)).await;
                        let _ = tell.send(Some(got.ok().and_then(Result::ok).map(|n| n.unwrap_or(0))));
                    });
                    answer
                }
            }
        };
        let told = answer.wait_for(Option::is_some).await.ok()?;
        (*told).flatten()
    }
}
