//! Toasts: what just concerned me, for a few seconds, without taking the focus.

use leptos::prelude::*;

use super::use_live;

#[component]
pub fn Toasts() -> impl IntoView {
    let live = use_live();
    let dismiss = move |id: u64| live.toasts.update(|t| t.retain(|x| x.id != id));
    view! {
        // Polite: read out when the reader is idle; not `role=status`, which pages use for their own notices.
        <div class="toasts" aria-live="polite">
            <For each=move || live.toasts.get() key=|t| t.id let:toast>
                <div class="toast">
                    {match toast.href.clone() {
                        Some(href) => view! { <a href=href class="title">{toast.title.clone()}</a> }.into_any(),
                        None => view! { <span class="title">{toast.title.clone()}</span> }.into_any(),
                    }}
                    {toast.message.clone().map(|m| view! { <span class="small">{m}</span> })}
                    <button class="link close" aria-label="Dismiss" on:click=move |_| dismiss(toast.id)>"×"</button>
                </div>
            </For>
        </div>
    }
}
