//! The page's shell: the frame of the studio, or on `/login` the form itself, drawn from plain
//! HTML before the app has loaded (`xtask/src/frontend.rs` writes it). People type into it while
//! the WASM downloads, so the app takes its place only once the app's own page stands: the page
//! reads what was typed when it is made, and removes the shell from an effect, which runs after
//! the page is in the document and before the browser paints or hands on another key.

use wasm_bindgen::JsCast;

/// What was typed into the shell's login form; empty once the shell is gone.
#[derive(Default)]
pub struct Typed {
    pub email: String,
    pub password: String,
}

pub fn typed() -> Typed {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return Typed::default() };
    let value = |selector: &str| {
        document
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|i| i.value())
            .unwrap_or_default()
    };
    Typed { email: value("#shell #email"), password: value("#shell #password") }
}

/// Removes the shell; a field of it that had the focus hands it to the app's field of the same id.
pub fn hand_over() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(shell) = document.get_element_by_id("shell") else { return };
    let focused = document.active_element().filter(|e| shell.contains(Some(e))).map(|e| e.id());
    shell.remove();
    let field = focused.filter(|id| !id.is_empty()).and_then(|id| document.get_element_by_id(&id));
    if let Some(field) = field.and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = field.focus();
    }
}
