//! Live updates: one Socket.IO connection per tab (the official client, loaded after login),
//! authenticated with the session's access token. Pages listen with [`on`] and join a project's
//! room with [`watch_project`]; after a reconnection, listeners of [`RESYNC`] refetch what they
//! show, so nothing missed while offline stays missing. Two tabs each have their own connection
//! and share nothing but the server.

mod bell;
mod panel;
mod socket;
mod toasts;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use petpixel_types::notification::ReadReceipt;
use petpixel_types::realtime as names;
use serde::de::DeserializeOwned;
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use bell::{Bell, LiveIndicator};
pub use toasts::Toasts;

use crate::session::{api, Session};

/// Told locally after a reconnection (and when the server says it fell behind): refetch.
pub const RESYNC: &str = "resync";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Logged out.
    Off,
    Connecting,
    Live,
    /// Lost; trying again.
    Reconnecting,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Off => "off",
            Status::Connecting => "connecting",
            Status::Live => "live",
            Status::Reconnecting => "reconnecting",
        }
    }
}

#[derive(Clone)]
pub struct Toast {
    pub id: u64,
    pub title: String,
    pub message: Option<String>,
    pub href: Option<String>,
}

/// The tab's live state, in context.
#[derive(Clone, Copy)]
pub struct Live {
    pub status: RwSignal<Status>,
    /// Unread notifications; `None` until counted.
    pub unread: RwSignal<Option<u64>>,
    pub toasts: RwSignal<Vec<Toast>>,
}

/// What a toast shows of a notification (the whole of it is read where it is listed).
#[derive(serde::Deserialize)]
struct Told {
    title: String,
    message: Option<String>,
    project_id: Option<Uuid>,
    #[serde(default)]
    project_name: Option<String>,
}

type Listener = Rc<dyn Fn(&str)>;
type Callback = Closure<dyn FnMut(JsValue, JsValue)>;

thread_local! {
    static SOCKET: RefCell<Option<socket::Socket>> = const { RefCell::new(None) };
    /// The socket's JS callbacks, alive as long as it is.
    static CALLBACKS: RefCell<Vec<Callback>> = const { RefCell::new(Vec::new()) };
    static LISTENERS: RefCell<Vec<(u64, &'static str, Listener)>> = const { RefCell::new(Vec::new()) };
    /// Project rooms wanted, with how many views want each.
    static ROOMS: RefCell<HashMap<Uuid, usize>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
    /// Whether the script is being fetched.
    static LOADING: Cell<bool> = const { Cell::new(false) };
}

fn next_id() -> u64 {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    })
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

impl Live {
    /// Connects while someone is logged in; counts their unread notifications and toasts new ones.
    pub fn start(session: Session) -> Self {
        let live = Live { status: RwSignal::new(Status::Off), unread: RwSignal::new(None), toasts: RwSignal::new(Vec::new()) };
        Effect::new(move |_| match session.user_id() {
            Some(_) => {
                open(live);
                count_unread(live);
            }
            None => close(live),
        });
        on::<Told>(names::NOTIFICATION, move |n| {
            live.unread.update(|c| *c = Some(c.unwrap_or(0) + 1));
            // Which project, by its pet and customer, before the message itself.
            let message = match (n.project_name, n.message) {
                (Some(project), Some(message)) => Some(format!("{project}: {message}")),
                (project, message) => project.or(message),
            };
            live.toast(n.title, message, n.project_id.map(|p| format!("/projects/{p}")));
        });
        on::<ReadReceipt>(names::NOTIFICATIONS_READ, move |r| live.unread.set(Some(r.unread_count)));
        on::<serde_json::Value>(RESYNC, move |_| count_unread(live));
        live
    }

    pub fn toast(&self, title: String, message: Option<String>, href: Option<String>) {
        let id = next_id();
        let toasts = self.toasts;
        toasts.update(|t| {
            t.push(Toast { id, title, message, href });
            // A burst shows its latest few.
            let excess = t.len().saturating_sub(4);
            t.drain(..excess);
        });
        set_timeout(move || toasts.update(|t| t.retain(|x| x.id != id)), Duration::from_secs(8));
    }
}

fn count_unread(live: Live) {
    leptos::task::spawn_local(async move {
        if let Ok(c) = api().unread_count().await {
            live.unread.set(Some(c.count));
        }
    });
}

/// Calls `listener` with each `event`'s payload while the calling view lives.
pub fn on<T: DeserializeOwned + 'static>(event: &'static str, listener: impl Fn(T) + 'static) {
    let id = next_id();
    let run: Listener = Rc::new(move |json: &str| {
        if let Ok(value) = serde_json::from_str::<T>(json) {
            listener(value);
        }
    });
    LISTENERS.with(|l| l.borrow_mut().push((id, event, run)));
    on_cleanup(move || LISTENERS.with(|l| l.borrow_mut().retain(|(i, _, _)| *i != id)));
}

fn dispatch(event: &str, json: &str) {
    // Listeners may add or remove listeners: call copies.
    let wanted: Vec<Listener> = LISTENERS.with(|l| l.borrow().iter().filter(|(_, e, _)| *e == event).map(|(_, _, r)| r.clone()).collect());
    for run in wanted {
        run(json);
    }
}

/// Joins the project's room while the calling view lives (again after each reconnection).
pub fn watch_project(project_id: Uuid) {
    let first = ROOMS.with(|r| {
        let mut rooms = r.borrow_mut();
        let n = rooms.entry(project_id).or_insert(0);
        *n += 1;
        *n == 1
    });
    if first {
        emit_room(names::SUBSCRIBE, project_id);
    }
    on_cleanup(move || {
        let last = ROOMS.with(|r| {
            let mut rooms = r.borrow_mut();
            match rooms.get_mut(&project_id) {
                Some(n) if *n > 1 => {
                    *n -= 1;
                    false
                }
                _ => {
                    rooms.remove(&project_id);
                    true
                }
            }
        });
        if last {
            emit_room(names::UNSUBSCRIBE, project_id);
        }
    });
}

fn emit_room(event: &'static str, project_id: Uuid) {
    SOCKET.with(|s| {
        if let Some(socket) = s.borrow().as_ref().filter(|s| s.connected()) {
            let data = socket::from_json(&serde_json::json!({ "project_id": project_id }).to_string());
            let ack = Closure::once_into_js(|_: JsValue| {});
            socket.emit(event, &data, ack.unchecked_ref());
        }
    });
}

/// The vendored client's address, from the page's `<meta name="petpixel-socket-io">`.
fn script_url() -> Option<String> {
    document().query_selector("meta[name=petpixel-socket-io]").ok().flatten().and_then(|m| m.get_attribute("content"))
}

fn open(live: Live) {
    if SOCKET.with(|s| s.borrow().is_some()) {
        return;
    }
    live.status.set(Status::Connecting);
    // The script on its way connects when it comes.
    if LOADING.with(Cell::get) {
        return;
    }
    if socket::loaded() {
        connect(live);
        return;
    }
    let Some(url) = script_url() else {
        live.status.set(Status::Off);
        return;
    };
    LOADING.with(|l| l.set(true));
    let Ok(script) = document().create_element("script") else { return };
    let _ = script.set_attribute("src", &url);
    let onload = Closure::once_into_js(move || {
        LOADING.with(|l| l.set(false));
        connect(live);
    });
    let _ = script.add_event_listener_with_callback("load", onload.unchecked_ref());
    let onerror = Closure::once_into_js(move || {
        LOADING.with(|l| l.set(false));
        live.status.set(Status::Reconnecting);
        // The server was away (a deploy, say): try again shortly.
        set_timeout(
            move || {
                if live.status.get_untracked() == Status::Reconnecting {
                    open(live);
                }
            },
            Duration::from_secs(5),
        );
    });
    let _ = script.add_event_listener_with_callback("error", onerror.unchecked_ref());
    if let Some(head) = document().head() {
        let _ = head.append_child(&script);
    }
}

fn connect(live: Live) {
    // Logged out while the script loaded (and not back in since).
    if live.status.get_untracked() == Status::Off {
        return;
    }
    // `auth` as a function: each (re)connection sends the token of the moment.
    let auth = Closure::<dyn FnMut(js_sys::Function)>::new(|reply: js_sys::Function| {
        let token = api().token().unwrap_or_default();
        let _ = reply.call1(&JsValue::NULL, &socket::from_json(&serde_json::json!({ "token": token }).to_string()));
    });
    let options = js_sys::Object::new();
    // WebSocket only: with several servers behind a load balancer, no sticky sessions needed.
    let set = |k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(k), v);
    };
    set("transports", &js_sys::Array::of1(&JsValue::from_str("websocket")));
    set("auth", auth.as_ref());
    set("reconnectionDelayMax", &JsValue::from_f64(10_000.0));
    let socket = socket::connect(&options);
    let was_lost = Rc::new(Cell::new(false));

    let lost = was_lost.clone();
    let on_connect = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_: JsValue, _: JsValue| {
        live.status.set(Status::Live);
        for room in ROOMS.with(|r| r.borrow().keys().copied().collect::<Vec<_>>()) {
            emit_room(names::SUBSCRIBE, room);
        }
        if lost.replace(false) {
            dispatch(RESYNC, "null");
        }
    });
    let lost = was_lost.clone();
    let on_disconnect = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |reason: JsValue, _: JsValue| {
        lost.set(true);
        if live.status.get_untracked() == Status::Off {
            return;
        }
        live.status.set(Status::Reconnecting);
        // The server closed it (credentials changed): renew the token, then try again.
        if reason.as_string().as_deref() == Some("io server disconnect") {
            retry_later(live, 1_000);
        }
    });
    let lost = was_lost;
    let on_error = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_: JsValue, _: JsValue| {
        lost.set(true);
        if live.status.get_untracked() == Status::Off {
            return;
        }
        live.status.set(Status::Reconnecting);
        // Refused by the server (an expired token, say): it will not retry by itself.
        let gave_up = SOCKET.with(|s| s.borrow().as_ref().is_some_and(|s| !s.active()));
        if gave_up {
            retry_later(live, 2_000);
        }
    });
    let on_any = Closure::<dyn FnMut(JsValue, JsValue)>::new(|event: JsValue, data: JsValue| {
        if let Some(event) = event.as_string() {
            dispatch(&event, &socket::to_json(&data));
        }
    });
    socket.on("connect", on_connect.as_ref().unchecked_ref());
    socket.on("disconnect", on_disconnect.as_ref().unchecked_ref());
    socket.on("connect_error", on_error.as_ref().unchecked_ref());
    socket.on_any(on_any.as_ref().unchecked_ref());
    auth.forget();
    CALLBACKS.with(|c| c.borrow_mut().extend([on_connect, on_disconnect, on_error, on_any]));
    SOCKET.with(|s| *s.borrow_mut() = Some(socket));
}

/// After `ms`, renews the access token if it has to (any API call does) and reconnects.
fn retry_later(live: Live, ms: u64) {
    set_timeout(
        move || {
            leptos::task::spawn_local(async move {
                // A refused renewal ends the session, and with it the socket.
                if api().unread_count().await.is_ok() && live.status.get_untracked() != Status::Off {
                    SOCKET.with(|s| {
                        if let Some(socket) = s.borrow().as_ref().filter(|s| !s.connected()) {
                            socket.reconnect();
                        }
                    });
                }
            });
        },
        Duration::from_millis(ms),
    );
}

fn close(live: Live) {
    live.status.set(Status::Off);
    live.unread.set(None);
    if let Some(socket) = SOCKET.with(|s| s.borrow_mut().take()) {
        socket.disconnect();
    }
    CALLBACKS.with(|c| c.borrow_mut().clear());
}
