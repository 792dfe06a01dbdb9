//! The URL panel on a project's page: the game's public address. Without one: proposals made from
//! the pet, a slug field checked as you type (debounced), alternatives for a taken one, reserve.
//! With one: the link (copy it, open it, a QR code for the customer's card), the reservation's
//! expiry, deploy a ready build (or roll back to an earlier one), release, and a views chart.
//! Its code is a chunk of its own, fetched when a project page first shows it.

mod chart;
mod qr;
mod reserve;

use leptos::prelude::*;
use petpixel_types::build::{Build, BuildQuery, BuildStatus};
use petpixel_types::url::{GameUrl, UrlAnalytics, UrlStatus};
use uuid::Uuid;

use self::chart::ViewsChart;
use self::qr::QrCode;
use self::reserve::Reserve;
use crate::session::api;
use crate::time::{date_time, days_until};

/// What the panel needs of the project.
#[derive(Clone, PartialEq)]
pub struct UrlAccess {
    pub project_id: Uuid,
    /// May reserve, deploy and release (`urls:*`).
    pub can_manage: bool,
    /// May read the views (`analytics:read`).
    pub can_see_views: bool,
}

/// The panel, loaded from its own WASM chunk.
#[leptos::lazy]
pub fn url_panel(access: UrlAccess) -> AnyView {
    view! { <UrlPanel access=access /> }.into_any()
}

#[component]
fn UrlPanel(access: UrlAccess) -> impl IntoView {
    let project_id = access.project_id;
    let current = RwSignal::new(None::<Result<Option<GameUrl>, String>>);
    let builds = RwSignal::new(Vec::<Build>::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            let detail = api().get_project(project_id).await;
            current.set(Some(detail.map(|d| d.urls.into_iter().find(|u| u.status.is_live())).map_err(|e| e.to_string())));
            let query = BuildQuery { limit: Some(50), offset: None };
            if let Ok(page) = api().list_builds(project_id, &query).await {
                builds.set(page.items.into_iter().filter(|b| b.status == BuildStatus::Ready).collect());
            }
        });
    };
    load();
    view! {
        <section class="panel address" aria-label="Game address">
            <h2>"Address"</h2>
            {move || match current.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading the address…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e}</p> }.into_any(),
                Some(Ok(None)) => view! { <Reserve project_id=project_id can_manage=access.can_manage on_reserved=load /> }.into_any(),
                Some(Ok(Some(url))) => view! {
                    <Live url=url builds=builds can_manage=access.can_manage can_see_views=access.can_see_views on_change=load />
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Live(
    url: GameUrl,
    builds: RwSignal<Vec<Build>>,
    can_manage: bool,
    can_see_views: bool,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = url.id;
    let link = url.full_url.clone();
    let copied = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let chosen = RwSignal::new(url.build_id.or_else(|| builds.with_untracked(|b| b.first().map(|b| b.id))));
    // Builds load beside the address: pick the newest once they arrive.
    Effect::new(move |_| {
        if chosen.get_untracked().is_none() {
            if let Some(b) = builds.with(|b| b.first().map(|b| b.id)) {
                chosen.set(Some(b));
            }
        }
    });
    let copy = {
        let link = link.clone();
        move |_| {
            let clipboard = window().navigator().clipboard();
            let promise = clipboard.write_text(&link);
            leptos::task::spawn_local(async move {
                let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                copied.set(ok);
                if !ok {
                    failure.set(Some("The browser did not let us copy; select the link and copy it.".into()));
                }
                set_timeout(move || copied.set(false), std::time::Duration::from_secs(2));
            });
        }
    };
    let deploy = move |_| {
        let Some(build) = chosen.get_untracked() else { return };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api().deploy_url(id, build).await {
                Ok(_) => {
                    failure.set(None);
                    on_change();
                }
                Err(e) => failure.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let release = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api().release_url(id).await {
                Ok(()) => on_change(),
                Err(e) => failure.set(Some(e.to_string())),
            }
            busy.set(false);
            confirming.set(false);
        });
    };
    let status = url.status;
    let deployed = url.build_id;
    let expiry = (status == UrlStatus::Reserved).then(|| {
        let left = days_until(url.expires_at);
        format!("Reserved until {} ({left} days left): deploy a build to keep it.", date_time(url.expires_at))
    });
    view! {
        <div class="address-live">
            <div class="address-link">
                <a class="slug" href=link.clone() target="_blank" rel="noopener" data-testid="public-link">{link.clone()}</a>
                <span class=format!("badge {}", status.as_str()) data-testid="url-status">{match status { UrlStatus::Active => "Live", _ => "Reserved" }}</span>
                <button class="secondary" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy link" }}</button>
            </div>
            {expiry.map(|e| view! { <p class="small muted">{e}</p> })}
            {url.deployed_at.map(|t| view! { <p class="small muted">"Deployed "{date_time(t)}</p> })}
            {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            <div class="address-body">
                <QrCode text=link.clone() />
                <div class="address-actions">
                    {can_manage.then(|| view! {
                        <label for="deploy-build">"Build to serve"</label>
                        {move || { let list = builds.get(); if list.is_empty() {
                            view! { <p class="empty-state small">"No ready build yet: build the game below, then deploy it here."</p> }.into_any()
                        } else {
                            view! {
                                <select id="deploy-build" on:change=move |ev| chosen.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                                    {list.into_iter().map(|b| {
                                        let (id, live) = (b.id, deployed == Some(b.id));
                                        let label = format!("{} · {}{}", b.template, date_time(b.created_at), if live { " (live)" } else { "" });
                                        view! { <option value=id.to_string() selected=move || chosen.get() == Some(id)>{label}</option> }
                                    }).collect_view()}
                                </select>
                                <button class="primary" data-testid="deploy" on:click=deploy
                                    disabled=move || busy.get() || chosen.get().is_none() || (status == UrlStatus::Active && chosen.get() == deployed)>
                                    {move || if busy.get() { "Deploying…" } else if status == UrlStatus::Active { "Deploy this build" } else { "Deploy" }}
                                </button>
                            }.into_any()
                        }}}
                        <Show when=move || confirming.get()
                            fallback=move || view! { <button class="link danger small" on:click=move |_| confirming.set(true)>"Release this address"</button> }>
                            <p class="small">"The link will stop working for the customer (it will say the game has moved on), and anyone may take the name."</p>
                            <button class="danger" on:click=release disabled=move || busy.get()>"Release it"</button>
                            <button class="link small" on:click=move |_| confirming.set(false)>"Keep it"</button>
                        </Show>
                    })}
                </div>
            </div>
            {can_see_views.then(|| view! { <Views id=id /> })}
        </div>
    }
}

#[component]
fn Views(id: Uuid) -> impl IntoView {
    let analytics = RwSignal::new(None::<Result<UrlAnalytics, String>>);
    leptos::task::spawn_local(async move {
        analytics.set(Some(api().url_analytics(id, 30).await.map_err(|e| e.to_string())));
    });
    view! {
        <h3>"Views"</h3>
        {move || match analytics.get() {
            None => view! { <p class="loading" aria-busy="true">"Loading the views…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="alert" role="alert">{e}</p> }.into_any(),
            Some(Ok(a)) => view! {
                <p data-testid="view-count"><strong>{a.view_count}</strong>{if a.view_count == 1 { " view in all · " } else { " views in all · " }}{a.period_views}" in the last 30 days"
                    {a.last_accessed.map(|t| format!(" · last {}", date_time(t)))}</p>
                <ViewsChart daily=a.daily />
            }.into_any(),
        }}
    }
}
