//! The asset manager on a project's page: drop files (or pick them) to upload them with a
//! progress bar each, see the thumbnails by type as processing finishes, open one to preview it,
//! rename it, upload a new version, download any version, or delete it. Its code is a chunk of
//! its own, fetched when a project page first shows it.

mod detail;
mod send;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use petpixel_types::asset::{check_before_upload, Asset, AssetType, MediaKind, ProcessingStatus, SNIFF_BYTES};
use uuid::Uuid;
use wasm_bindgen::JsCast;

use self::detail::AssetDetail;
use crate::session::{api, use_session};

/// The manager's view, loaded from its own WASM chunk.
#[leptos::lazy]
pub fn asset_manager(project_id: Uuid, can_manage: bool) -> AnyView {
    view! { <AssetManager project_id=project_id can_manage=can_manage /> }.into_any()
}

/// One file on its way up.
#[derive(Clone)]
struct Sending {
    key: u32,
    name: String,
    sent: RwSignal<f64>,
    total: f64,
    /// None while sending; then done, or why not.
    outcome: RwSignal<Option<Result<(), String>>>,
}

#[component]
fn AssetManager(project_id: Uuid, can_manage: bool) -> impl IntoView {
    let session = use_session();
    let limit = move || session.me.with(|m| m.as_ref().map_or(10 * 1024 * 1024, |m| m.limits.max_upload_bytes));
    let assets = RwSignal::new(None::<Result<Vec<Asset>, String>>);
    let selected = RwSignal::new(None::<Uuid>);
    let sending = RwSignal::new(Vec::<Sending>::new());
    let upload_as = RwSignal::new(String::new());
    let hovering = RwSignal::new(false);
    let next_key = StoredValue::new(0u32);
    let alive = Arc::new(AtomicBool::new(true));
    on_cleanup({
        let alive = alive.clone();
        move || alive.store(false, Ordering::Relaxed)
    });

    // Loads the list; what changes afterwards (processing finishing, a colleague's upload) comes
    // live, and after a reconnection the list is read afresh.
    let load = StoredValue::new_local(None::<Rc<dyn Fn()>>);
    let load_fn: Rc<dyn Fn()> = Rc::new({
        let alive = alive.clone();
        move || {
            let alive = alive.clone();
            leptos::task::spawn_local(async move {
                let result = api().list_assets(project_id).await.map_err(|e| e.to_string());
                if !alive.load(Ordering::Relaxed) {
                    return;
                }
                // A live update (processing finished) may have arrived while this read was on its
                // way: of the two copies of an asset, the one further along is kept.
                assets.update(|current| {
                    let result = match (result, current.take()) {
                        (Ok(mut fresh), Some(Ok(held))) => {
                            for asset in &mut fresh {
                                if let Some(newer) = held.iter().find(|h| h.id == asset.id && further_along(h, asset)) {
                                    *asset = newer.clone();
                                }
                            }
                            Ok(fresh)
                        }
                        (result, _) => result,
                    };
                    *current = Some(result);
                });
            });
        }
    });
    load.set_value(Some(load_fn.clone()));
    let reload = move || {
        if let Some(load) = load.get_value() {
            load();
        }
    };
    load_fn();
    crate::live::on::<Asset>(petpixel_types::realtime::ASSET_UPDATED, move |a| {
        if a.project_id == project_id {
            assets.update(|list| {
                if let Some(Ok(list)) = list {
                    match list.iter_mut().find(|x| x.id == a.id) {
                        Some(x) => *x = a,
                        None => list.push(a),
                    }
                }
            });
        }
    });
    crate::live::on::<petpixel_types::activity::ActivityEntry>(petpixel_types::realtime::ACTIVITY, move |e| {
        if e.action == "asset.deleted" && e.project_id == Some(project_id) {
            assets.update(|list| {
                if let Some(Ok(list)) = list {
                    list.retain(|x| Some(x.id) != e.resource_id);
                }
            });
        }
    });
    crate::live::on::<serde_json::Value>(crate::live::RESYNC, move |_| reload());

    let start = move |files: Vec<web_sys::File>| {
        for file in files {
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            let item = Sending { key, name: file.name(), sent: RwSignal::new(0.0), total: file.size(), outcome: RwSignal::new(None) };
            sending.update(|list| list.push(item.clone()));
            let chosen = upload_as.get_untracked();
            let max = limit();
            leptos::task::spawn_local(async move {
                let head = send::head(&file, SNIFF_BYTES as i32).await.unwrap_or_default();
                // The same rules as the server's, before a byte is sent.
                let automatic = match petpixel_types::asset::sniff(&head).map(|m| m.kind()) {
                    Some(MediaKind::Sound) => AssetType::Sound,
                    _ => AssetType::Photo,
                };
                let asset_type = chosen.parse::<AssetType>().unwrap_or(automatic);
                if let Err(reason) = check_before_upload(asset_type, &head, file.size() as u64, max) {
                    item.outcome.set(Some(Err(reason)));
                    return;
                }
                let sent = item.sent;
                let path = format!("/api/v1/projects/{project_id}/assets");
                let result = send::upload(&path, Some(asset_type.as_str()), &file, move |done, _| sent.set(done)).await;
                if result.is_ok() {
                    item.sent.set(item.total);
                }
                item.outcome.set(Some(result.map(|_| ())));
                reload();
            });
        }
    };

    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        hovering.set(false);
        let files = ev.data_transfer().and_then(|d| d.files()).map(files_of).unwrap_or_default();
        start(files);
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files = input.files().map(files_of).unwrap_or_default();
        start(files);
        input.set_value("");
    };

    view! {
        <section class="panel assets" aria-label="Assets">
            <div class="assets-head">
                <h2>"Assets"</h2>
                {move || assets.get().and_then(Result::ok).map(|list| view! { <span class="muted small">{count(list.len())}</span> })}
            </div>
            {can_manage.then(|| view! {
                <div
                    class="dropzone"
                    class:hovering=move || hovering.get()
                    on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); hovering.set(true); }
                    on:dragleave=move |_| hovering.set(false)
                    on:drop=on_drop
                >
                    <p>"Drop photos, sprites, backgrounds or sounds here, or "
                        <label class="link picker">"choose files"
                            <input type="file" multiple accept=ACCEPT on:change=on_pick data-testid="asset-picker" />
                        </label>
                    </p>
                    <p class="small muted">
                        {move || format!("JPEG, PNG, HEIC or WebP pictures; MP3, OGG or WAV sounds; up to {} each.", petpixel_types::asset::human_size(limit()))}
                    </p>
                    <label class="small">"Upload as "
                        <select aria-label="Upload as" on:change=move |ev| upload_as.set(event_target_value(&ev))>
                            <option value="">"Automatic (pictures as photos, sounds as sounds)"</option>
                            {AssetType::ALL.iter().map(|t| view! { <option value=t.as_str()>{label(*t)}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
            })}
            <Show when=move || !sending.with(Vec::is_empty)>
                <ul class="uploads" aria-label="Uploads">
                    <For each=move || sending.get() key=|s| s.key let:item>
                        <UploadRow item=item />
                    </For>
                </ul>
                <button class="link small" on:click=move |_| sending.update(|l| l.retain(|s| s.outcome.with(Option::is_none)))>"Clear finished"</button>
            </Show>
            {move || match assets.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading the assets…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="empty-state">{if can_manage { "No files yet: drop the pet's photos here to begin." } else { "No files yet." }}</p>
                }.into_any(),
                Some(Ok(list)) => view! { <AssetGrid list=list selected=selected can_manage=can_manage on_change=reload /> }.into_any(),
            }}
            {move || selected.get().and_then(|id| {
                assets.with(|a| a.as_ref().and_then(|r| r.as_ref().ok()).and_then(|l| l.iter().find(|x| x.id == id).cloned()))
            }).map(|asset| view! {
                <AssetDetail asset=asset can_manage=can_manage on_change=reload on_close=move || selected.set(None) on_deleted=move || { selected.set(None); reload(); } />
            })}
        </section>
    }
}

use std::rc::Rc;

const ACCEPT: &str = "image/jpeg,image/png,image/heic,.heic,image/webp,audio/mpeg,.mp3,audio/ogg,.ogg,audio/wav,.wav";

fn files_of(list: web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 file".into()
    } else {
        format!("{n} files")
    }
}

pub(super) fn label(t: AssetType) -> &'static str {
    match t {
        AssetType::Photo => "Photos",
        AssetType::Sprite => "Sprites",
        AssetType::Background => "Backgrounds",
        AssetType::Sound => "Sounds",
        AssetType::Config => "Other files",
    }
}

#[component]
fn UploadRow(item: Sending) -> impl IntoView {
    let total = item.total.max(1.0);
    let percent = move || (item.sent.get() / total * 100.0).round() as u32;
    view! {
        <li class="upload" data-state=move || match item.outcome.get() { None => "sending", Some(Ok(())) => "done", Some(Err(_)) => "failed" }>
            <span class="upload-name">{item.name.clone()}</span>
            <progress max=total value=move || item.sent.get() aria-label=format!("Uploading {}", item.name)></progress>
            <span class="small">{move || match item.outcome.get() {
                None => format!("{}%", percent()),
                Some(Ok(())) => "Uploaded".into(),
                Some(Err(e)) => e,
            }}</span>
        </li>
    }
}

#[component]
fn AssetGrid(
    list: Vec<Asset>,
    selected: RwSignal<Option<Uuid>>,
    can_manage: bool,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    AssetType::ALL
        .iter()
        .filter_map(|t| {
            let group: Vec<Asset> = list.iter().filter(|a| a.asset_type == *t).cloned().collect();
            (!group.is_empty()).then(|| {
                view! {
                    <h3 class="asset-group">{label(*t)}</h3>
                    <ul class="asset-grid">
                        {group.into_iter().map(|a| view! { <AssetCard asset=a selected=selected can_manage=can_manage on_change=on_change /> }).collect_view()}
                    </ul>
                }
            })
        })
        .collect_view()
}

#[component]
fn AssetCard(
    asset: Asset,
    selected: RwSignal<Option<Uuid>>,
    can_manage: bool,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = asset.id;
    let retry = move |_| {
        leptos::task::spawn_local(async move {
            let _ = api().reprocess_asset(id).await;
            on_change();
        });
    };
    let status = asset.processing_status;
    view! {
        // Draggable onto the game panel's slots.
        <li class="asset-card" class:selected=move || selected.get() == Some(id) data-status=status.as_str() draggable="true"
            on:dragstart=move |ev: leptos::ev::DragEvent| {
                if let Some(data) = ev.data_transfer() {
                    let _ = data.set_data(super::game::DRAG_TYPE, &id.to_string());
                }
            }>
            <button class="asset-open" on:click=move |_| selected.set(Some(id)) aria-label=format!("Open {}", asset.filename)>
                {match (&asset.thumbnail_url, asset.asset_type) {
                    (Some(url), _) => view! { <img src=url.clone() alt="" loading="lazy" /> }.into_any(),
                    (None, AssetType::Sound) => view! { <span class="asset-icon" aria-hidden="true">"♪"</span> }.into_any(),
                    (None, _) => view! { <span class="asset-icon" aria-hidden="true">"▧"</span> }.into_any(),
                }}
            </button>
            <span class="asset-name" title=asset.filename.clone()>{asset.filename.clone()}</span>
            {match status {
                ProcessingStatus::Pending | ProcessingStatus::Processing => view! {
                    <span class="badge busy" role="status"><span class="spinner" aria-hidden="true"></span>"Processing"</span>
                }.into_any(),
                ProcessingStatus::Failed => view! {
                    <span class="badge failed">"Failed"</span>
                    <span class="small failed-reason">{asset.processing_error.clone().unwrap_or_default()}</span>
                    {can_manage.then(|| view! { <button class="link small" on:click=retry>"Retry"</button> })}
                }.into_any(),
                ProcessingStatus::Ready => view! {
                    {(asset.version > 1).then(|| view! { <span class="badge">{format!("v{}", asset.version)}</span> })}
                }.into_any(),
            }}
        </li>
    }
}

/// The input element an event came from.
fn event_target<T: JsCast>(ev: &leptos::ev::Event) -> T {
    ev.target().expect("an event from an element").unchecked_into()
}

/// Whether `a` is a later state of the same asset than `b`: a newer version, or the same one
/// processed where `b` is not yet.
fn further_along(a: &Asset, b: &Asset) -> bool {
    (a.version, a.processed_at.is_some()) > (b.version, b.processed_at.is_some())
}
