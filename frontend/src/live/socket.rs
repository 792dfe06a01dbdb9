//! A thin typed binding to the official Socket.IO client (`window.io`, from the vendored
//! `socket.io.min.js` the page loads after login).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A `Socket` of socket.io-client.
    pub type Socket;
    /// Its `Manager` (`socket.io`): the connection and its reconnection attempts.
    pub type Manager;

    /// `io(options)`: a socket to the page's own origin.
    #[wasm_bindgen(js_name = io)]
    pub fn connect(options: &JsValue) -> Socket;

    #[wasm_bindgen(method)]
    pub fn on(this: &Socket, event: &str, listener: &js_sys::Function);
    #[wasm_bindgen(method, js_name = onAny)]
    pub fn on_any(this: &Socket, listener: &js_sys::Function);
    /// `emit(event, data, ack)`.
    #[wasm_bindgen(method)]
    pub fn emit(this: &Socket, event: &str, data: &JsValue, ack: &js_sys::Function);
    #[wasm_bindgen(method, js_name = connect)]
    pub fn reconnect(this: &Socket);
    #[wasm_bindgen(method)]
    pub fn disconnect(this: &Socket);
    #[wasm_bindgen(method, getter)]
    pub fn connected(this: &Socket) -> bool;
    /// Whether it will try to reconnect by itself (not after a refusal by the server).
    #[wasm_bindgen(method, getter)]
    pub fn active(this: &Socket) -> bool;
    #[wasm_bindgen(method, getter, js_name = io)]
    pub fn manager(this: &Socket) -> Manager;

    #[wasm_bindgen(method, js_name = on)]
    pub fn on_manager(this: &Manager, event: &str, listener: &js_sys::Function);
}

/// Whether `window.io` is there yet.
pub fn loaded() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("io")).is_ok_and(|io| io.is_function())
}

/// A JS value as JSON text (for serde), or `null`.
pub fn to_json(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()).unwrap_or_else(|| "null".into())
}

/// JSON text as a JS value.
pub fn from_json(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or(JsValue::NULL)
}
