//! Counting a game's views without a database write per view: each process counts in memory and
//! adds its counts to the database in one transaction every `PETPIXEL_VIEW_FLUSH_SECS` and when it
//! shuts down. Increments add up, so any number of processes count the same address. A write that
//! fails puts its counts back for the next one.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, Statement};
use uuid::Uuid;

use crate::db::Db;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Views per day (UTC); nearly always one day.
    pub days: Vec<(NaiveDate, u64)>,
    pub last: DateTime<Utc>,
}

impl Pending {
    pub fn total(&self) -> u64 {
        self.days.iter().map(|(_, n)| n).sum()
    }

    fn add(&mut self, day: NaiveDate, n: u64, at: DateTime<Utc>) {
        match self.days.iter_mut().find(|(d, _)| *d == day) {
            Some((_, count)) => *count += n,
            None => self.days.push((day, n)),
        }
        self.last = self.last.max(at);
    }
}

#[derive(Default)]
pub struct Views {
    pending: Mutex<HashMap<Uuid, Pending>>,
}

impl Views {
    pub fn new() -> Self {
        Self::default()
    }

    /// One view of `url`, now.
    pub fn count(&self, url: Uuid) {
        let now = Utc::now();
        let mut pending = self.lock();
        match pending.get_mut(&url) {
            Some(p) => p.add(now.date_naive(), 1, now),
            None => {
                pending.insert(url, Pending { days: vec![(now.date_naive(), 1)], last: now });
            }
        }
    }

    /// This process's views of `url` not yet written.
    pub fn pending(&self, url: Uuid) -> Option<Pending> {
        self.lock().get(&url).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Pending>> {
        self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes every pending count; answers how many views it wrote.
    pub async fn flush(&self, db: &Db) -> anyhow::Result<u64> {
        let batch = std::mem::take(&mut *self.lock());
        if batch.is_empty() {
            return Ok(0);
        }
        match write(db, &batch).await {
            Ok(()) => Ok(batch.values().map(Pending::total).sum()),
            Err(e) => {
                let mut pending = self.lock();
                for (url, p) in batch {
                    let entry = pending.entry(url).or_insert_with(|| Pending { days: Vec::new(), last: p.last });
                    for (day, n) in p.days {
                        entry.add(day, n, p.last);
                    }
                }
                Err(e)
            }
        }
    }
}

async fn write(db: &Db, batch: &HashMap<Uuid, Pending>) -> anyhow::Result<()> {
    let backend = db.backend();
    let txn = db.begin_write().await?;
    for (url, p) in batch {
        let total = i64::try_from(p.total()).unwrap_or(i64::MAX);
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE game_urls SET view_count = view_count + $1, \
             last_accessed = CASE WHEN last_accessed IS NULL OR last_accessed < $2 THEN $2 ELSE last_accessed END WHERE id = $3",
            [total.into(), p.last.into(), (*url).into()],
        ))
        .await?;
        for (day, n) in &p.days {
            let n = i64::try_from(*n).unwrap_or(i64::MAX);
            // The address's row exists (addresses are never deleted but with their project,
            // which this skips): a vanished one must not fail the whole batch forever.
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO url_daily_views (url_id, day, views) SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM game_urls WHERE id = $1) \
                 ON CONFLICT (url_id, day) DO UPDATE SET views = url_daily_views.views + excluded.views",
                [(*url).into(), (*day).into(), n.into()],
            ))
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Flushes every `interval` until `stop` resolves. The last flush is the server's, once the
/// requests in flight have been answered.
pub async fn run_flusher(views: std::sync::Arc<Views>, db: Db, interval: std::time::Duration, stop: impl std::future::Future<Output = ()>) {
    tokio::pin!(stop);
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = views.flush(&db).await {
                    tracing::warn!(error = %e, "game views could not be written; they are kept for the next try");
                }
            }
            () = &mut stop => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_add_up_per_day_and_keep_the_latest_time() {
        let views = Views::new();
        let url = Uuid::now_v7();
        for _ in 0..5 {
            views.count(url);
        }
        let p = views.pending(url).unwrap();
        assert_eq!(p.total(), 5);
        let mut p2 = p.clone();
        let yesterday = p.days[0].0.pred_opt().unwrap();
        p2.add(yesterday, 2, p.last - chrono::Duration::days(1));
        assert_eq!(p2.total(), 7);
        assert_eq!(p2.days.len(), 2);
        assert_eq!(p2.last, p.last, "an older view does not move last_accessed back");
    }
}
