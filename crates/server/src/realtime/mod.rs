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

pub fn hub(state: AppState) -> Hub {
    let events = state.db.bus.subscribe();
    let (layer, io) = SocketIo::builder()
        .with_state(state)
        // Socket.IO's defaults, spelled out: a client that stops answering pings is gone after
        // 45 s, and its rooms with it.
        .ping_interval(Duration::from_secs(25))
        .ping_timeout(Duration::from_secs(20))
        .build_layer();
    io.ns("/", connect::connected.with(connect::authenticate));
    let stop = CancellationToken::new();
    tokio::spawn(forward(io.clone(), events, stop.clone()));
    Hub { layer, io, guard: std::sync::Arc::new(stop.drop_guard()) }
}

async fn forward(io: SocketIo, mut events: tokio::sync::broadcast::Receiver<Event>, stop: CancellationToken) {
    loop {
        let event = tokio::select! {
            () = stop.cancelled() => break,
            event = events.recv() => event,
        };
        match event {
            Ok(event) => deliver(&io, &event).await,
            Err(RecvError::Lagged(missed)) => {
                // The clients' views are now behind in ways no single event fixes: they refetch.
                tracing::warn!(missed, "the realtime hub fell behind the event bus; clients are told to refetch");
                let _ = io.emit(petpixel_types::realtime::RESYNC, &serde_json::json!({ "missed": missed })).await;
            }
            Err(RecvError::Closed) => break,
        }
    }
    io.close().await;
}

async fn deliver(io: &SocketIo, event: &Event) {
    for delivery in rooms::deliveries(event) {
        let sent = match delivery {
            Delivery::Emit { event, rooms, data } => io.to(rooms).emit(event, &data).await,
            Delivery::Disconnect { room } => io.to(room).disconnect().await,
        };
        if let Err(e) = sent {
            tracing::debug!(error = %e, action = %event.action, "a realtime delivery failed");
        }
    }
}
