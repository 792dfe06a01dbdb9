//! The top bar's live parts: the connection's state, and the bell with its unread count and the
//! latest notifications.

use leptos::prelude::*;

use super::{use_live, Status};

/// "Live", or what the connection is doing instead.
#[component]
pub fn LiveIndicator() -> impl IntoView {
    let live = use_live();
    let label = move || match live.status.get() {
        Status::Live => "Live",
        Status::Connecting => "Connecting…",
        Status::Reconnecting => "Reconnecting…",
        Status::Off => "Offline",
    };
    let title = move || match live.status.get() {
        Status::Live => "Changes by the team show up as they happen.",
        Status::Reconnecting => "The live connection was lost; trying again. What changes meanwhile shows up once it is back.",
        _ => "",
    };
    view! {
        <span class="live-state" data-state=move || live.status.get().as_str() title=title>
            <span class="dot" aria-hidden="true"></span><span class="live-label">{label}</span>
        </span>
    }
}

#[component]
pub fn Bell() -> impl IntoView {
    let live = use_live();
    let open = RwSignal::new(false);
    let count = move || live.unread.get().unwrap_or(0);
    let label = move || match count() {
        0 => "Notifications, none unread".to_owned(),
        n => format!("Notifications, {n} unread"),
    };
    view! {
        <div class="bell" on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { open.set(false) }>
            <button class="bell-button" aria-label=label aria-expanded=move || open.get().to_string() aria-haspopup="true"
                on:click=move |_| open.update(|o| *o = !*o)>
                // Drawn, not an emoji: not every machine has an emoji font.
                <svg class="bell-icon" width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
                    <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6v-5a7 7 0 0 0-5-6.7V3.5a2 2 0 0 0-4 0v.8A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"></path>
                </svg>
                <Show when=move || { count() > 0 }>
                    <span class="badge" data-testid="unread-count">{move || count().min(99).to_string()}</span>
                </Show>
            </button>
            // The list is its own chunk, fetched the first time the bell is opened.
            <Show when=move || open.get()>
                <Suspense fallback=|| view! { <div class="bell-panel"><p class="loading" aria-busy="true">"Loading…"</p></div> }>
                    {Suspend::new(send_wrapper::SendWrapper::new(super::panel::bell_panel(open)))}
                </Suspense>
            </Show>
        </div>
    }
}
