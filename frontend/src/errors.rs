//! The app's uncaught errors and panics go to the server (`POST /api/v1/client-errors`), which
//! passes them to the error-report service without customer data. Sent with a plain request the
//! browser dispatches at once: after a panic the app's code cannot be relied on to run again.

use std::cell::RefCell;

use petpixel_types::client_error::{ClientErrorReport, MAX_MESSAGE, MAX_STACK};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// Reports sent by this page load: each message once, and no more than this many in all (a
/// failure in a loop must not flood the server).
const MOST: usize = 10;

thread_local! {
    static SENT: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Reports `window`'s uncaught errors and unhandled promise rejections from now on.
pub fn listen() {
    let Some(window) = web_sys::window() else { return };
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let message = property(&event, "message").unwrap_or_else(|| "uncaught error".into());
        let stack = js_sys_get(&event, "error").and_then(|e| property_of(&e, "stack"));
        report(message, stack);
    });
    let on_rejection = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let reason = js_sys_get(&event, "reason");
        let message = reason.as_ref().and_then(|r| property_of(r, "message").or_else(|| r.as_string()));
        report(format!("unhandled rejection: {}", message.unwrap_or_default()), reason.and_then(|r| property_of(&r, "stack")));
    });
    let _ = window.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("unhandledrejection", on_rejection.as_ref().unchecked_ref());
    on_error.forget();
    on_rejection.forget();
}

/// Sends one report, unless this message was sent already or the page's allowance is spent.
/// Without a session (on the login page) there is nobody to report as: nothing is sent.
pub fn report(message: String, stack: Option<String>) {
    let fresh = SENT.with(|sent| {
        let Ok(mut sent) = sent.try_borrow_mut() else { return false };
        if sent.len() >= MOST || sent.contains(&message) {
            return false;
        }
        sent.push(message.clone());
        true
    });
    let Some(token) = crate::session::api().token() else { return };
    if !fresh {
        return;
    }
    let page = web_sys::window().and_then(|w| w.location().href().ok());
    let report = ClientErrorReport { message: cut(message, MAX_MESSAGE), stack: stack.map(|s| cut(s, MAX_STACK)), page };
    let Ok(body) = serde_json::to_string(&report) else { return };
    let Ok(request) = web_sys::XmlHttpRequest::new() else { return };
    if request.open("POST", "/api/v1/client-errors").is_ok() {
        let _ = request.set_request_header("content-type", "application/json");
        let _ = request.set_request_header("authorization", &format!("Bearer {token}"));
        let _ = request.send_with_opt_str(Some(&body));
    }
}

fn cut(text: String, most: usize) -> String {
    match text.char_indices().nth(most) {
        Some((at, _)) => text[..at].to_owned(),
        None => text,
    }
}

fn js_sys_get(target: &JsValue, key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn property_of(target: &JsValue, key: &str) -> Option<String> {
    js_sys_get(target, key).and_then(|v| v.as_string())
}

fn property(event: &web_sys::Event, key: &str) -> Option<String> {
    property_of(event.as_ref(), key)
}
