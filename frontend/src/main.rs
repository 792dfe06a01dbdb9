//! PetPixel Studio's web app. Built by `cargo xtask build-frontend` into `frontend/dist`, which
//! the server embeds and serves.

mod app;
mod errors;
mod filters;
mod form;
mod live;
mod pages;
mod session;
mod shell;
mod time;

use std::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

thread_local! {
    /// The address of the last link clicked: the router changes the address bar only once the
    /// page's code has loaded, so this is where the user was going when a load fails.
    static HEADING_TO: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        // A lazily loaded page of an older build, gone since a deploy (a tab left open): open
        // the page in the new build instead of leaving a dead one. The session survives in its
        // cookie.
        if info.to_string().contains("load callback should succeed") {
            load_afresh();
        } else {
            errors::report(format!("panic: {info}"), None);
        }
    }));
    errors::listen();
    note_link_clicks();
    // The page came with a shell drawn from plain HTML (the login form, or the studio's frame):
    // it stays until the app's page stands in its place (`shell::hand_over`).
    let app = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
    match app.and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok()) {
        Some(app_root) => leptos::mount::mount_to(app_root, app::App).forget(),
        None => leptos::mount::mount_to_body(app::App),
    }
}

fn note_link_clicks() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let noted = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let link = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.closest("a[href]").ok().flatten());
        if let Some(href) = link.and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok()).map(|a| a.href()) {
            HEADING_TO.with(|h| *h.borrow_mut() = Some(href));
        }
    });
    let _ = document.add_event_listener_with_callback_and_bool("click", noted.as_ref().unchecked_ref(), true);
    noted.forget();
}

/// Loads the address the user was going to (or this one) from the server, unless this tab did so
/// for the same reason moments ago (no reload loop).
fn load_afresh() {
    const KEY: &str = "petpixel:reloaded-for-chunk";
    let Some(window) = web_sys::window() else { return };
    // Whole milliseconds: integer formatting keeps float formatting out of the bundle.
    let now = js_sys::Date::now() as u64;
    let storage = window.session_storage().ok().flatten();
    let recent = storage.as_ref().and_then(|s| s.get_item(KEY).ok().flatten()).and_then(|t| t.parse::<u64>().ok());
    if recent.is_some_and(|t| now.saturating_sub(t) < 10_000) {
        return;
    }
    if let Some(s) = &storage {
        let _ = s.set_item(KEY, &now.to_string());
    }
    match HEADING_TO.with(|h| h.borrow_mut().take()) {
        Some(href) => {
            let _ = window.location().assign(&href);
        }
        None => {
            let _ = window.location().reload();
        }
    }
}
