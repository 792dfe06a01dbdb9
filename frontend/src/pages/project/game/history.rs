//! The project's builds, newest first, with their status as it changes, and the preview.

use leptos::prelude::*;
use petpixel_types::build::{Build, BuildStatus};
use uuid::Uuid;

use crate::session::api;
use crate::time::date_time;

#[component]
pub fn BuildHistory(
    list: Vec<Build>,
    can_delete: bool,
    on_preview: impl Fn(Build) + Copy + Send + Sync + 'static,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let confirming = RwSignal::new(None::<Uuid>);
    let failure = RwSignal::new(None::<String>);
    let delete = move |id: Uuid| {
        leptos::task::spawn_local(async move {
            match api().delete_build(id).await {
                Ok(()) => failure.set(None),
                Err(e) => failure.set(Some(e.to_string())),
            }
            confirming.set(None);
            on_change();
        });
    };
    view! {
        {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
        <ul class="builds" aria-label="Builds">
            {list.into_iter().map(|b| {
                let id = b.id;
                let (status, shown) = (b.status, b.clone());
                let size = b.bundle_size.map(|s| petpixel_types::asset::human_size(u64::try_from(s).unwrap_or(0)));
                view! {
                    <li class="build" data-status=status.as_str() data-template=b.template.clone()>
                        <div>
                            <strong>{b.template.clone()}</strong>
                            <span class=format!("badge {}", status.as_str()) role="status">
                                {(!status.is_finished()).then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                                {label(status)}
                            </span>
                            <span class="small muted">{date_time(b.created_at)}</span>
                            {size.map(|s| view! { <span class="small muted">{s}</span> })}
                        </div>
                        {b.error.clone().map(|e| view! { <p class="small failed-reason">{e}</p> })}
                        {(!b.failures.is_empty()).then(|| view! {
                            <ul class="small failures">
                                {b.failures.iter().map(|f| view! { <li><strong>{f.slot.clone()}</strong>": "{f.reason.clone()}</li> }).collect_view()}
                            </ul>
                        })}
                        <div class="actions">
                            {(status == BuildStatus::Ready).then(|| view! {
                                <button class="secondary" on:click=move |_| on_preview(shown.clone())>"Preview"</button>
                                <a class="link small" href=b.preview_url.clone().unwrap_or_default() target="_blank" rel="noopener">"Open alone (for a phone)"</a>
                            })}
                            {(can_delete && status.is_finished()).then(|| view! {
                                <Show when=move || confirming.get() == Some(id)
                                    fallback=move || view! { <button class="link danger small" on:click=move |_| confirming.set(Some(id))>"Delete"</button> }>
                                    <span class="small">"Delete this build and its files? "</span>
                                    <button class="danger small" on:click=move |_| delete(id)>"Delete"</button>
                                    <button class="link small" on:click=move |_| confirming.set(None)>"Keep"</button>
                                </Show>
                            })}
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

fn label(status: BuildStatus) -> &'static str {
    match status {
        BuildStatus::Queued => "Queued",
        BuildStatus::Building => "Building",
        BuildStatus::Ready => "Ready",
        BuildStatus::Failed => "Failed",
    }
}

/// The game in a sandboxed frame, at a laptop's or a phone's size; and how to deploy it.
#[component]
pub fn Preview(shown: Build, on_close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let build = shown;
    let phone = RwSignal::new(false);
    let status = build.status;
    view! {
        <div class="preview" aria-label="Preview">
            <div class="assets-head">
                <h3>{format!("Preview: {}", build.template)}</h3>
                <div class="actions">
                    <button class="link small" aria-pressed=move || (!phone.get()).to_string() on:click=move |_| phone.set(false)>"Laptop"</button>
                    <button class="link small" aria-pressed=move || phone.get().to_string() on:click=move |_| phone.set(true)>"Phone"</button>
                    <button class="link small" on:click=move |_| on_close() aria-label="Close the preview">"Close"</button>
                </div>
            </div>
            {match (status, build.preview_url.clone()) {
                (BuildStatus::Ready, Some(url)) => view! {
                    <iframe class="game-frame" class:phone=move || phone.get() src=url title="Game preview" sandbox="allow-scripts"></iframe>
                    <p class="small muted">
                        "Happy with it? Give the game its address in the URL panel and deploy build "
                        <code>{build.id.to_string()}</code>"."
                    </p>
                }.into_any(),
                (BuildStatus::Failed, _) => view! { <p class="alert" role="alert">{build.error.clone().unwrap_or_else(|| "The build failed.".into())}</p> }.into_any(),
                _ => view! { <p class="loading" aria-busy="true">"Building… the preview opens here when it is ready."</p> }.into_any(),
            }}
        </div>
    }
}
