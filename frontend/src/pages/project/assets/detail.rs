//! One asset opened: its preview (picture or player), facts, versions with their downloads,
//! renaming, a new version, and deleting with a confirmation.

use leptos::prelude::*;
use petpixel_types::asset::{human_size, Asset, AssetType, AssetVersion, UpdateAsset};

use super::send;
use crate::session::api;

#[component]
pub fn AssetDetail(
    asset: Asset,
    can_manage: bool,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
    on_close: impl Fn() + Copy + Send + Sync + 'static,
    on_deleted: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = asset.id;
    let name = RwSignal::new(asset.filename.clone());
    let failure = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let version_sent = RwSignal::new(None::<(f64, f64)>);
    let versions = RwSignal::new(Vec::<AssetVersion>::new());
    let current = asset.version;
    let load_versions = move || {
        leptos::task::spawn_local(async move {
            if let Ok(list) = api().asset_versions(id).await {
                versions.set(list);
            }
        });
    };
    load_versions();

    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let changes = UpdateAsset { filename: Some(name.get_untracked()), asset_type: None };
        leptos::task::spawn_local(async move {
            match api().update_asset(id, &changes).await {
                Ok(saved) => {
                    name.set(saved.filename);
                    failure.set(None);
                    on_change();
                }
                Err(e) => failure.set(Some(e.to_string())),
            }
        });
    };
    let download = move |version: Option<i32>| {
        leptos::task::spawn_local(async move {
            match api().asset_download(id, version).await {
                Ok(link) => {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().assign(&link.url);
                    }
                }
                Err(e) => failure.set(Some(e.to_string())),
            }
        });
    };
    let delete = move |_| {
        leptos::task::spawn_local(async move {
            match api().delete_asset(id).await {
                Ok(()) => on_deleted(),
                Err(e) => failure.set(Some(e.to_string())),
            }
        });
    };
    let new_version = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = super::event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        version_sent.set(Some((0.0, file.size())));
        leptos::task::spawn_local(async move {
            let path = format!("/api/v1/assets/{id}/versions");
            let total = file.size();
            let result = send::upload(&path, None, &file, move |done, _| version_sent.set(Some((done, total)))).await;
            version_sent.set(None);
            match result {
                Ok(_) => {
                    failure.set(None);
                    load_versions();
                    on_change();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };

    let preview = match (&asset.preview_url, asset.asset_type) {
        (Some(url), AssetType::Sound) => view! { <audio controls src=url.clone() preload="metadata"></audio> }.into_any(),
        (Some(url), _) => view! { <img class="preview" src=url.clone() alt=format!("Preview of {}", asset.filename) /> }.into_any(),
        (None, _) if asset.processing_status.is_settling() => {
            view! { <p class="muted" aria-busy="true">"The preview appears once processing has finished."</p> }.into_any()
        }
        (None, _) => view! { <p class="muted">{asset.processing_error.clone().unwrap_or_else(|| "No preview.".into())}</p> }.into_any(),
    };
    let facts = facts(&asset);
    let filename = asset.filename.clone();

    view! {
        <div class="asset-detail" role="dialog" aria-label=format!("Asset {}", asset.filename)
            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { on_close() }>
            <div class="asset-detail-head">
                <h3>{move || name.get()}</h3>
                <button class="link" on:click=move |_| on_close() aria-label="Close">"Close"</button>
            </div>
            <div class="asset-preview">{preview}</div>
            <dl class="facts">
                {facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
            {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            <div class="actions">
                <button class="secondary" on:click=move |_| download(None)>"Download"</button>
                {can_manage.then(|| view! {
                    <label class="secondary picker">"Upload a new version"
                        <input type="file" accept=super::ACCEPT on:change=new_version data-testid="version-picker" />
                    </label>
                    <button class="link danger" on:click=move |_| confirming.set(true)>"Delete"</button>
                })}
            </div>
            {move || version_sent.get().map(|(sent, total)| view! {
                <progress max=total value=sent aria-label="Uploading the new version"></progress>
            })}
            <Show when=move || confirming.get()>
                <div class="confirm" role="alertdialog" aria-label="Confirm deletion">
                    <p>{if current > 1 {
                        format!("Delete {filename} and all {current} of its versions? This cannot be undone.")
                    } else {
                        format!("Delete {filename}? This cannot be undone.")
                    }}</p>
                    <button class="danger-button" on:click=delete>"Delete for good"</button>
                    <button class="link" on:click=move |_| confirming.set(false)>"Keep it"</button>
                </div>
            </Show>
            {can_manage.then(|| view! {
                <form class="rename" on:submit=rename>
                    <label for="asset-name">"Name"</label>
                    <input id="asset-name" bind:value=name maxlength="255" />
                    <button type="submit" class="secondary">"Rename"</button>
                </form>
            })}
            <h4>"Versions"</h4>
            <ul class="versions">
                <For each=move || versions.get() key=|v| (v.version, v.processing_status) let:v>
                    <li>
                        <span>{format!("v{}", v.version)}{v.current.then_some(" (current)")}</span>
                        <span class="muted small">{format!("{} · {} · {}", v.original_filename, human_size(v.file_size.max(0) as u64), crate::time::long_date(v.uploaded_at.date_naive()))}</span>
                        <button class="link small" on:click=move |_| download(Some(v.version))>"Download"</button>
                    </li>
                </For>
            </ul>
        </div>
    }
}

fn facts(asset: &Asset) -> Vec<(&'static str, String)> {
    let m = asset.metadata.clone().unwrap_or_default();
    let mut facts = vec![
        ("Type", super::label(asset.asset_type).trim_end_matches('s').to_owned()),
        ("File", format!("{} · {}", asset.mime_type, human_size(asset.file_size.max(0) as u64))),
        ("Version", asset.version.to_string()),
    ];
    if let (Some(w), Some(h)) = (m["width"].as_u64(), m["height"].as_u64()) {
        facts.push(("Size", format!("{w} × {h} px")));
    }
    if let Some(d) = m["duration_seconds"].as_f64() {
        let kbps = m["bitrate_kbps"].as_u64().map(|b| format!(", {b} kbit/s")).unwrap_or_default();
        facts.push(("Length", format!("{d:.1} s{kbps}")));
    }
    if m["exif_removed"].as_bool() == Some(true) {
        facts.push(("Privacy", "Location and camera data removed from the preview".into()));
    }
    facts
}
