//! The Game panel on a project's page: pick a template, fill its slots from the project's assets
//! (chosen from a list that says why an asset does not fit, or dropped from the asset grid), set
//! its parameters (a form drawn from the template's manifest, starting from the project's
//! difficulty preset), build, follow the build live, play it in a preview, and keep the history.
//! Its code is a chunk of its own, fetched when a project page first shows it.

mod history;
mod params;
mod slots;

pub use self::slots::DRAG_TYPE;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use petpixel_types::asset::Asset;
use petpixel_types::build::{Build, BuildQuery, CreateBuild};
use petpixel_types::project::{GameConfig, PackageType};
use petpixel_types::template::Template;
use petpixel_types::ValidationErrors;
use uuid::Uuid;

use self::history::{BuildHistory, Preview};
use self::params::ParamsForm;
use self::slots::{autofill, SlotList};
use crate::session::api;

/// What the panel needs of the project.
#[derive(Clone, PartialEq)]
pub struct GameAccess {
    pub project_id: Uuid,
    pub pet_name: String,
    pub package: PackageType,
    pub config: GameConfig,
    pub can_build: bool,
    pub can_delete: bool,
}

/// The panel, loaded from its own WASM chunk.
#[leptos::lazy]
pub fn game_builder(access: GameAccess) -> AnyView {
    view! { <GameBuilder access=access /> }.into_any()
}

#[component]
fn GameBuilder(access: GameAccess) -> impl IntoView {
    let project_id = access.project_id;
    let templates = RwSignal::new(None::<Result<Vec<Template>, String>>);
    let assets = RwSignal::new(Vec::<Asset>::new());
    let builds = RwSignal::new(None::<Result<Vec<Build>, String>>);
    let chosen = RwSignal::new(None::<String>);
    let slots = RwSignal::new(BTreeMap::<String, Uuid>::new());
    let texts = RwSignal::new(BTreeMap::<String, String>::new());
    let params = RwSignal::new(BTreeMap::<String, serde_json::Value>::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let sending = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let previewing = RwSignal::new(None::<Build>);
    let alive = Arc::new(AtomicBool::new(true));
    on_cleanup({
        let alive = alive.clone();
        move || alive.store(false, Ordering::Relaxed)
    });

    leptos::task::spawn_local(async move {
        let (t, a) = (api().list_templates().await, api().list_assets(project_id).await);
        templates.set(Some(t.map_err(|e| e.to_string())));
        assets.set(a.unwrap_or_default());
    });

    // Loads the history; a build's progress comes live (and after a reconnection the history is
    // read afresh).
    let load = StoredValue::new_local(None::<std::rc::Rc<dyn Fn()>>);
    let load_fn: std::rc::Rc<dyn Fn()> = std::rc::Rc::new({
        let alive = alive.clone();
        move || {
            let alive = alive.clone();
            leptos::task::spawn_local(async move {
                let query = BuildQuery { limit: Some(20), offset: None };
                let result = api().list_builds(project_id, &query).await.map(|p| p.items).map_err(|e| e.to_string());
                if !alive.load(Ordering::Relaxed) {
                    return;
                }
                // A build that just finished shows itself in the preview.
                if let (Ok(list), Some(shown)) = (&result, previewing.get_untracked()) {
                    if let Some(now) = list.iter().find(|b| b.id == shown.id) {
                        if now.status != shown.status || now.preview_url != shown.preview_url {
                            previewing.set(Some(now.clone()));
                        }
                    }
                }
                builds.set(Some(result));
            });
        }
    });
    load.set_value(Some(load_fn.clone()));
    load_fn();
    let reload = move || load.with_value(|l| l.as_ref().map(|l| l())).unwrap_or_default();
    crate::live::on::<Build>(petpixel_types::realtime::BUILD_UPDATED, move |b| {
        if b.project_id != project_id {
            return;
        }
        if previewing.with_untracked(|p| p.as_ref().is_some_and(|p| p.id == b.id)) {
            previewing.set(Some(b.clone()));
        }
        builds.update(|list| {
            if let Some(Ok(list)) = list {
                match list.iter_mut().find(|x| x.id == b.id) {
                    Some(x) => *x = b,
                    None => list.insert(0, b),
                }
            }
        });
    });
    crate::live::on::<serde_json::Value>(crate::live::RESYNC, move |_| reload());

    let template = Memo::new(move |_| {
        let id = chosen.get()?;
        templates.with(|t| t.as_ref().and_then(|r| r.as_ref().ok()).and_then(|l| l.iter().find(|t| t.id == id).cloned()))
    });
    let choose = move |t: &Template| {
        chosen.set(Some(t.id.clone()));
        slots.set(assets.with(|a| autofill(t, access.package, a)));
        texts.set(BTreeMap::new());
        params.set(BTreeMap::new());
        errors.set(ValidationErrors::new());
        failure.set(None);
    };

    let (package, config) = (access.package, StoredValue::new(access.config.clone()));
    let submit = move |_| {
        let Some(t) = template.get_untracked() else { return };
        let request = CreateBuild {
            template: t.id.clone(),
            slots: slots.get_untracked(),
            texts: texts.get_untracked(),
            params: params.get_untracked(),
        };
        // The server's own checks, before sending.
        if let Err(e) = config.with_value(|c| request.validate(package, c)) {
            errors.set(e);
            return;
        }
        errors.set(ValidationErrors::new());
        failure.set(None);
        sending.set(true);
        leptos::task::spawn_local(async move {
            match api().create_build(project_id, &request).await {
                Ok(build) => previewing.set(Some(build)),
                Err(e) => match e.problem().filter(|p| !p.errors.is_empty()) {
                    Some(p) => errors.set(p.errors.iter().fold(ValidationErrors::new(), |mut v, f| {
                        v.add(&f.field, &f.code, f.message.clone());
                        v
                    })),
                    None => failure.set(Some(e.to_string())),
                },
            }
            sending.set(false);
            reload();
        });
    };
    let busy = move || builds.with(|b| b.as_ref().and_then(|r| r.as_ref().ok()).is_some_and(|l| l.iter().any(|b| !b.status.is_finished())));
    let pet = access.pet_name.clone();
    let difficulty = access.config.difficulty;

    view! {
        <section class="panel game" aria-label="Game">
            <div class="assets-head">
                <h2>"Game"</h2>
                <span class="muted small">{format!("{} package · {} difficulty", access.package.as_str(), difficulty.as_str())}</span>
            </div>
            {move || match templates.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading the templates…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="template-cards" role="group" aria-label="Templates">
                        {list.into_iter().map(|t| {
                            let id = t.id.clone();
                            let pressed = move || chosen.get().as_deref() == Some(id.as_str());
                            let picked = t.clone();
                            view! {
                                <button class="template-card" aria-pressed=move || pressed().to_string() disabled=!access.can_build
                                    on:click=move |_| choose(&picked) data-template=t.id.clone()>
                                    <span class="template-art" inner_html=art(&t.id)></span>
                                    <strong>{t.name.clone()}</strong>
                                    <span class="small muted">{t.description.clone()}</span>
                                </button>
                            }
                        }).collect_view()}
                    </div>
                }.into_any(),
            }}
            {move || (!access.can_build).then(|| view! { <p class="muted small">"Builds are made by the project's artist, its manager or an admin."</p> })}
            {move || template.get().map(|t| {
                let pet = pet.clone();
                view! {
                    <div class="build-form">
                        <h3>"Slots"</h3>
                        <SlotList template=t.clone() package=package assets=assets slots=slots texts=texts errors=errors pet=pet />
                        <h3>"Settings"</h3>
                        <ParamsForm template=t.clone() package=package difficulty=difficulty params=params errors=errors />
                        {move || errors.with(|e| e.for_field("template").map(|f| view! { <p class="alert" role="alert">{f.message.clone()}</p> }))}
                        {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
                        <button class="primary" on:click=submit disabled=move || sending.get() || busy() data-testid="build">
                            {move || if sending.get() { "Queuing…" } else if busy() { "Building…" } else { "Build" }}
                        </button>
                    </div>
                }
            })}
            {move || previewing.get().map(|b| view! { <Preview shown=b on_close=move || previewing.set(None) /> })}
            <h3>"Builds"</h3>
            {move || match builds.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading the builds…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="empty-state">"No builds yet: pick a template above, check its slots and press Build."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <BuildHistory list=list can_delete=access.can_delete on_preview=move |b| previewing.set(Some(b)) on_change=reload />
                }.into_any(),
            }}
        </section>
    }
}

/// A small drawing of each template for its card (inline, so nothing is fetched).
fn art(template: &str) -> &'static str {
    match template {
        "runner" => {
            r##"<svg viewBox="0 0 120 60" aria-hidden="true"><rect width="120" height="60" fill="#8fd3ff"/><rect y="46" width="120" height="14" fill="#6ab04c"/><rect x="70" y="34" width="8" height="12" rx="2" fill="#5a3e2b"/><rect x="100" y="38" width="8" height="8" rx="2" fill="#5a3e2b"/><circle cx="30" cy="28" r="9" fill="#ff9f43"/><path d="M24 20l2-6 4 5M36 20l-2-6-4 5" fill="#ff9f43"/></svg>"##
        }
        "catcher" => {
            r##"<svg viewBox="0 0 120 60" aria-hidden="true"><rect width="120" height="60" fill="#ffd8a8"/><rect x="20" y="10" width="14" height="5" rx="2" fill="#f5deb3" stroke="#c8a97e"/><rect x="80" y="18" width="12" height="7" rx="2" fill="#7fd6f5"/><rect x="55" y="4" width="14" height="5" rx="2" fill="#f5deb3" stroke="#c8a97e"/><circle cx="60" cy="48" r="9" fill="#ff9f43"/></svg>"##
        }
        _ => {
            r##"<svg viewBox="0 0 120 60" aria-hidden="true"><rect width="120" height="60" fill="#3b2f7a"/><g fill="#7c5cff"><rect x="14" y="8" width="18" height="20" rx="3"/><rect x="38" y="8" width="18" height="20" rx="3"/><rect x="62" y="8" width="18" height="20" rx="3" fill="#fff"/><rect x="86" y="8" width="18" height="20" rx="3"/><rect x="14" y="32" width="18" height="20" rx="3" fill="#fff"/><rect x="38" y="32" width="18" height="20" rx="3"/><rect x="62" y="32" width="18" height="20" rx="3"/><rect x="86" y="32" width="18" height="20" rx="3"/></g><circle cx="71" cy="18" r="5" fill="#ff9f43"/><circle cx="23" cy="42" r="5" fill="#ff9f43"/></svg>"##
        }
    }
}
