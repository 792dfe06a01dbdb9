//! The realtime hub: Socket.IO at `/socket.io/` (socketioxide), speaking to the official v4
//! clients. It adds no event path of its own: it hears the event bus, which carries every
//! committed change (through Redis to every process when `REDIS_URL` is set), and delivers each
//! event to the rooms of the sockets connected to this process. So an event made on process A
//! reaches a socket on process B once, and a rolled-back change reaches no one.

mod connect;
pub mod rooms;

use std::time::Duration;

use petpixel_types::event::Event;
use socketioxide::handler::ConnectHandler;
use socketioxide::layer::SocketIoLayer;
use socketioxide::SocketIo;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::state::AppState;
use rooms::Delivery;

/// The hub of one router: its layer, and the task that feeds it events, which stops when the
/// last clone of the router is dropped.
pub struct Hub {
    pub layer: SocketIoLayer,
    pub io: SocketIo,
    pub guard: std::sync::Arc<DropGuard>,
}

/// How often each socket's credentials are checked again: an access token outlives nothing,
/// and a session or API token that ended without an event (it expired) is noticed within this.
const RECHECK: Duration = Duration::from_secs(60);

pub fn hub(state: AppState) -> Hub {
    let events = state.db.bus.subscribe();
    let (gaps, gap) = tokio::sync::mpsc::unbounded_channel();
    state.db.bus.listen(std::sync::Arc::new(Gaps(gaps)));
    let (layer, io) = SocketIo::builder()
        .with_state(state.clone())
        // Socket.IO's defaults, spelled out: a client that stops answering pings is gone after
        // 45 s, and its rooms with it.
        .ping_interval(Duration::from_secs(25))
        .ping_timeout(Duration::from_secs(20))
        .build_layer();
    io.ns("/", connect::connected.with(connect::authenticate));
    let stop = CancellationToken::new();
    tokio::spawn(forward(state, io.clone(), events, gap, stop.clone()));
    Hub { layer, io, guard: std::sync::Arc::new(stop.drop_guard()) }
}

/// Told by the bus when events may have been missed (the Redis subscription was lost).
struct Gaps(tokio::sync::mpsc::UnboundedSender<()>);

impl crate::events::Listener for Gaps {
    fn heard(&self, _: &Event) {}

    fn gap(&self, live: bool) {
        if live {
            let _ = self.0.send(());
        }
    }
}

async fn forward(
    state: AppState,
    io: SocketIo,
    mut events: tokio::sync::broadcast::Receiver<Event>,
    mut gaps: tokio::sync::mpsc::UnboundedReceiver<()>,
    stop: CancellationToken,
) {
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            event = events.recv() => match event {
                Ok(event) => deliver(&io, &event).await,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the realtime hub fell behind the event bus; its sockets reconnect");
                    start_over(&io).await;
                }
                Err(RecvError::Closed) => break,
            },
            Some(()) = gaps.recv() => {
                if !io.sockets().is_empty() {
                    tracing::warn!("events may have been missed (the event bus reconnected); the hub's sockets reconnect");
                }
                start_over(&io).await;
            }
            _ = recheck.tick() => connect::recheck(&state, &io).await,
        }
    }
    io.close().await;
}

/// Events went missing, and with them perhaps a revocation or a change a view needed: every
/// socket reconnects (with its credentials checked again) and its views refetch.
async fn start_over(io: &SocketIo) {
    let _ = io.disconnect().await;
}

async fn deliver(io: &SocketIo, event: &Event) {
    for delivery in rooms::deliveries(event) {
        let sent = match delivery {
            Delivery::Emit { event, rooms, except, data } => io.to(rooms).except(except).emit(event, &data).await,
            Delivery::Disconnect { room } => io.to(room).disconnect().await,
        };
        if let Err(e) = sent {
            tracing::debug!(error = %e, action = %event.action, "a realtime delivery failed");
        }
    }
}
