//! The event bus: each write transaction collects the events of its changes (beside their
//! activity entries) and publishes them only after it commits. In one process the bus is a
//! broadcast channel; with `REDIS_URL`, events go through Redis pub/sub, so every process (its
//! realtime hub, caches, jobs) hears every process's events, its own included, exactly once.
//! Events through Redis are numbered, so that a process knows when it has heard every write that
//! answered before a read (see `sequence`).

mod sequence;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use petpixel_types::activity::ResourceType;
use petpixel_types::event::{Event, Payload};
use petpixel_types::health::ComponentHealth;
use redis::aio::ConnectionManager;
use tokio::sync::broadcast;
use uuid::Uuid;

use sequence::{Numbered, Sequence};

/// A change with no activity entry of its own (a build starting, a notification): told with
/// the state it left.
pub fn about(action: &str, resource_type: ResourceType, project_id: Option<Uuid>, actor_id: Option<Uuid>, payload: Payload) -> Event {
    Event {
        id: Uuid::now_v7(),
        action: action.to_owned(),
        resource_type,
        resource_id: Some(payload.id()),
        project_id,
        actor_id,
        at: chrono::Utc::now(),
        entry: None,
        payload: Some(payload),
    }
}

/// How many events a slow subscriber may fall behind before it misses some (and is told so).
const CAPACITY: usize = 1024;

#[derive(Clone)]
pub struct Bus {
    local: broadcast::Sender<Event>,
    redis: Option<RedisLink>,
    listeners: Listeners,
}

/// Told of events synchronously, before a publish returns (in the publishing process) and as
/// soon as one arrives from another process: what a cache needs so that the request after a
/// logout already sees it ended.
pub trait Listener: Send + Sync {
    fn heard(&self, event: &Event);
    /// Events may have been missed (the Redis subscription was lost) and, while `live` is false,
    /// may still be: forget everything, and keep nothing until `live` again.
    fn gap(&self, live: bool);
}

#[derive(Clone, Default)]
struct Listeners {
    all: Arc<RwLock<Vec<Arc<dyn Listener>>>>,
    live: Arc<AtomicBool>,
}

impl Listeners {
    fn heard(&self, event: &Event) {
        for listener in self.all.read().unwrap_or_else(|p| p.into_inner()).iter() {
            listener.heard(event);
        }
    }

    fn gap(&self, live: bool) {
        self.live.store(live, Ordering::SeqCst);
        for listener in self.all.read().unwrap_or_else(|p| p.into_inner()).iter() {
            listener.gap(live);
        }
    }
}

#[derive(Clone)]
struct RedisLink {
    publisher: ConnectionManager,
    channel: String,
    sequence: Arc<Sequence>,
}

/// What a cache asks before it serves what it holds: has this process heard every change that
/// committed (and answered) before now? Always, in one process; across processes, see `sequence`.
#[derive(Clone, Default)]
pub struct Barrier(Option<Arc<Sequence>>);

impl Barrier {
    /// No other process writes: whatever this one holds is current.
    pub fn none() -> Self {
        Barrier(None)
    }

    pub async fn caught_up(&self) -> bool {
        match &self.0 {
            None => true,
            Some(sequence) => sequence.caught_up().await,
        }
    }
}

impl Bus {
    /// In-process only.
    pub fn memory() -> Self {
        let listeners = Listeners::default();
        listeners.live.store(true, Ordering::SeqCst);
        Bus { local: broadcast::channel(CAPACITY).0, redis: None, listeners }
    }

    /// Through Redis at `url` on `channel`; returns once this process is subscribed, so nothing
    /// published after it is missed.
    pub async fn redis(url: &str, channel: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let publisher = ConnectionManager::new(client.clone()).await?;
        let (local, _) = broadcast::channel(CAPACITY);
        let (ready, subscribed) = tokio::sync::oneshot::channel();
        let listeners = Listeners::default();
        let sequence = Sequence::new(publisher.clone(), format!("{channel}:seq"));
        tokio::spawn(forward(client, channel.to_owned(), local.clone(), listeners.clone(), sequence.clone(), Some(ready)));
        subscribed.await.map_err(|_| anyhow::anyhow!("could not subscribe to Redis channel {channel}"))??;
        Ok(Bus { local, redis: Some(RedisLink { publisher, channel: channel.to_owned(), sequence }), listeners })
    }

    /// What caches ask before serving (see [`Barrier`]).
    pub fn barrier(&self) -> Barrier {
        Barrier(self.redis.as_ref().map(|link| link.sequence.clone()))
    }

    /// Adds a listener; it starts with a clean slate, live if the bus is.
    pub fn listen(&self, listener: Arc<dyn Listener>) {
        let mut all = self.listeners.all.write().unwrap_or_else(|p| p.into_inner());
        listener.gap(self.listeners.live.load(Ordering::SeqCst));
        all.push(listener);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }

    /// Publishes committed changes. A Redis failure is logged, and the events still reach this
    /// process's subscribers.
    pub async fn publish(&self, events: Vec<Event>) {
        for event in events {
            self.listeners.heard(&event);
            match &self.redis {
                Some(link) => {
                    let payload = match serde_json::to_string(&event) {
                        Ok(p) => p,
                        Err(e) => {
                            tracing::error!(error = %e, "an event could not be encoded");
                            continue;
                        }
                    };
                    let mut conn = link.publisher.clone();
                    let sent: redis::RedisResult<i64> = redis::cmd("EVAL")
                        .arg(sequence::PUBLISH)
                        .arg(1)
                        .arg(&link.sequence.key)
                        .arg(&link.channel)
                        .arg(payload)
                        .query_async(&mut conn)
                        .await;
                    if let Err(e) = sent {
                        tracing::warn!(error = %e, action = %event.action, "Redis did not take an event; only this process hears it");
                        let _ = self.local.send(event);
                    }
                }
                None => {
                    // No subscriber is not an error.
                    let _ = self.local.send(event);
                }
            }
        }
    }

    /// The cache and bus backend: Redis (with a PING) or the process's memory.
    pub async fn health(&self) -> ComponentHealth {
        let Some(link) = &self.redis else {
            return ComponentHealth { status: "ok".into(), backend: "memory".into(), latency_ms: Some(0.0), error: None, disk: None };
        };
        let start = Instant::now();
        let mut conn = link.publisher.clone();
        let ping = tokio::time::timeout(Duration::from_secs(2), redis::cmd("PING").query_async::<String>(&mut conn)).await;
        let latency_ms = Some((start.elapsed().as_secs_f64() * 100_000.0).round() / 100.0);
        match ping {
            Ok(Ok(_)) => ComponentHealth { status: "ok".into(), backend: "redis".into(), latency_ms, error: None, disk: None },
            other => {
                tracing::warn!(result = ?other.map(|r| r.map_err(|e| e.to_string())), "Redis health check failed");
                ComponentHealth {
                    status: "error".into(),
                    backend: "redis".into(),
                    latency_ms,
                    error: Some("Redis does not answer".into()),
                    disk: None,
                }
            }
        }
    }
}

/// Forwards the channel's messages to this process's subscribers, resubscribing after a lost
/// connection.
async fn forward(
    client: redis::Client,
    channel: String,
    local: broadcast::Sender<Event>,
    listeners: Listeners,
    sequence: Arc<Sequence>,
    mut ready: Option<tokio::sync::oneshot::Sender<anyhow::Result<()>>>,
) {
    use futures::StreamExt;
    loop {
        let subscribed = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        }
        .await;
        let mut pubsub = match subscribed {
            Ok(p) => p,
            Err(e) => {
                if let Some(ready) = ready.take() {
                    let _ = ready.send(Err(e.into()));
                    return;
                }
                tracing::warn!(error = %e, "the Redis event subscription failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Some(ready) = ready.take() {
            let _ = ready.send(Ok(()));
        }
        // Subscribed from here on: what was missed before is forgotten, what comes is heard.
        listeners.gap(true);
        sequence.resubscribed().await;
        let mut messages = pubsub.on_message();
        while let Some(message) = messages.next().await {
            let Ok(payload) = message.get_payload::<String>() else { continue };
            match serde_json::from_str::<Event>(&payload) {
                Ok(event) => {
                    listeners.heard(&event);
                    // Applied: a read waiting for this number may now trust the caches.
                    if let Ok(Numbered { seq: Some(seq) }) = serde_json::from_str(&payload) {
                        sequence.heard(seq);
                    }
                    let _ = local.send(event);
                }
                Err(e) => tracing::warn!(error = %e, "an event from Redis could not be read"),
            }
        }
        listeners.gap(false);
        sequence.lost();
        tracing::warn!("the Redis event subscription ended; resubscribing");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
