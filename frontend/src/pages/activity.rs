//! The activity feed: everything the team does that the reader may see, newest first, live.
//! Filters (project, person, kind of thing) live in the URL's query; older entries load as the
//! list scrolls into view (or with the button, for the keyboard); new ones arrive at the top as
//! they happen, and after a reconnection what came meanwhile is fetched.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use petpixel_types::activity::{ActivityEntry, ActivityQuery, ResourceType};
use petpixel_types::project::{Project, ProjectQuery};
use petpixel_types::realtime as names;
use petpixel_types::user::{User, UserQuery};
use petpixel_types::{Action, Resource};
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::filters::with_param;
use crate::live;
use crate::session::{api, use_session};
use crate::time::date_time;

const PAGE_SIZE: i64 = 30;
const FILTERS: [&str; 3] = ["project", "person", "type"];

#[derive(Clone, Copy, PartialEq)]
struct Filters {
    project: Option<Uuid>,
    person: Option<Uuid>,
    kind: Option<ResourceType>,
}

impl Filters {
    fn query(&self, before: Option<Uuid>, after: Option<Uuid>) -> ActivityQuery {
        ActivityQuery {
            resource_type: self.kind,
            user_id: self.person,
            project_id: self.project,
            before,
            after,
            limit: Some(PAGE_SIZE),
            ..Default::default()
        }
    }

    fn admits(&self, e: &ActivityEntry) -> bool {
        self.project.is_none_or(|p| e.project_id == Some(p))
            && self.person.is_none_or(|p| e.user_id == Some(p))
            && self.kind.is_none_or(|k| e.resource_type == k)
    }
}

#[derive(Clone, Default)]
struct Feed {
    items: Vec<ActivityEntry>,
    next: Option<Uuid>,
    loading: bool,
    error: Option<String>,
    /// Entries that came live, marked until the filters change.
    fresh: Vec<Uuid>,
}

#[component]
pub fn ActivityFeed() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let feed = RwSignal::new(Feed { loading: true, ..Default::default() });
    let people = RwSignal::new(Vec::<User>::new());
    let projects = RwSignal::new(Vec::<Project>::new());
    let generation = StoredValue::new(0u64);
    let filters = Memo::new(move |_| {
        query.with(|q| Filters {
            project: q.get("project").and_then(|v| v.parse().ok()),
            person: q.get("person").and_then(|v| v.parse().ok()),
            kind: q.get("type").and_then(|v| v.parse().ok()),
        })
    });

    if session.can(Resource::Users, Action::Read) {
        leptos::task::spawn_local(async move {
            if let Ok(page) = api().list_users(&UserQuery { limit: Some(100), ..Default::default() }).await {
                people.set(page.items);
            }
        });
    }
    leptos::task::spawn_local(async move {
        let q = ProjectQuery { sort: Some("pet_name".into()), limit: Some(100), ..Default::default() };
        if let Ok(page) = api().list_projects(&q).await {
            projects.set(page.items);
        }
    });

    // Loads a page: the first (the filters changed) or the next older one.
    let load = move |more: bool| {
        let f = filters.get_untracked();
        let before = if more { feed.with_untracked(|s| s.next) } else { None };
        if more && (before.is_none() || feed.with_untracked(|s| s.loading)) {
            return;
        }
        let mine = generation.get_value() + u64::from(!more);
        generation.set_value(mine);
        feed.update(|s| {
            s.loading = true;
            if !more {
                *s = Feed { loading: true, ..Default::default() };
            }
        });
        leptos::task::spawn_local(async move {
            let answer = api().list_activity(&f.query(before, None)).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            feed.update(|s| {
                s.loading = false;
                match answer {
                    Ok(page) => {
                        // An entry that came live while the page loaded is there already.
                        let known: Vec<Uuid> = s.items.iter().map(|e| e.id).collect();
                        s.items.extend(page.items.into_iter().filter(|e| !known.contains(&e.id)));
                        s.next = page.next_cursor;
                        s.error = None;
                    }
                    Err(e) => s.error = Some(e.to_string()),
                }
            });
        });
    };
    Effect::new(move |_| {
        filters.track();
        load(false);
    });

    live::on::<ActivityEntry>(names::ACTIVITY, move |e| {
        if filters.get_untracked().admits(&e) && !feed.with_untracked(|s| s.items.iter().any(|x| x.id == e.id)) {
            feed.update(|s| {
                s.fresh.push(e.id);
                s.items.insert(0, e);
            });
        }
    });
    // Back from offline: what came meanwhile, on top.
    live::on::<serde_json::Value>(live::RESYNC, move |_| {
        let Some(newest) = feed.with_untracked(|s| s.items.first().map(|e| e.id)) else { return load(false) };
        let f = filters.get_untracked();
        let mine = generation.get_value();
        leptos::task::spawn_local(async move {
            let answer = api().list_activity(&f.query(None, Some(newest))).await;
            // The filters changed meanwhile: the list it was for is gone.
            if generation.try_get_value() != Some(mine) {
                return;
            }
            match answer {
                // More than a page missed: start over rather than leave a hole.
                Ok(page) if page.next_cursor.is_some() => load(false),
                Ok(page) => feed.update(|s| {
                    let known: Vec<Uuid> = s.items.iter().map(|e| e.id).collect();
                    let missed: Vec<ActivityEntry> = page.items.into_iter().filter(|e| !known.contains(&e.id)).collect();
                    s.fresh.extend(missed.iter().map(|e| e.id));
                    s.items.splice(0..0, missed);
                }),
                Err(_) => {}
            }
        });
    });

    let sentinel = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let Some(el) = sentinel.get() else { return };
        let seen = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let visible = entries.iter().any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
            if visible {
                load(true);
            }
        });
        if let Ok(observer) = web_sys::IntersectionObserver::new(seen.as_ref().unchecked_ref()) {
            observer.observe(&el);
            let held = send_wrapper::SendWrapper::new((observer, seen));
            on_cleanup(move || {
                let (observer, seen) = held.take();
                observer.disconnect();
                drop(seen);
            });
        }
    });

    let set = move |key: &'static str, value: String| {
        let url = query.with_untracked(|q| with_param("/activity", q, &FILTERS, key, &value));
        navigate(&url, NavigateOptions::default());
    };
    let (set_project, set_person, set_type) = (set.clone(), set.clone(), set);
    let param = move |key: &'static str| move || query.with(|q| q.get(key).unwrap_or_default());
    let me = session.user_id();

    view! {
        <main class="page">
            <h1>"Activity"</h1>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <div class="filter">
                    <label for="feed-project">"Project"</label>
                    <select id="feed-project" prop:value=param("project") on:change=move |ev| set_project("project", event_target_value(&ev))>
                        <option value="">"All projects"</option>
                        {move || projects.get().into_iter().map(|p| view! {
                            <option value=p.id.to_string()>{format!("{} ({})", p.pet_name, p.customer_name)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="filter">
                    <label for="feed-person">"Person"</label>
                    <select id="feed-person" prop:value=param("person") on:change=move |ev| set_person("person", event_target_value(&ev))>
                        <option value="">"Everyone"</option>
                        {me.map(|me| view! { <option value=me.to_string()>"Me"</option> })}
                        {move || people.get().into_iter().filter(|u| Some(u.id) != me).map(|u| view! {
                            <option value=u.id.to_string()>{u.display_name}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="filter">
                    <label for="feed-type">"About"</label>
                    <select id="feed-type" prop:value=param("type") on:change=move |ev| set_type("type", event_target_value(&ev))>
                        <option value="">"Everything"</option>
                        {ResourceType::ALL.iter().map(|t| view! { <option value=t.as_str()>{kind_label(*t)}</option> }).collect_view()}
                    </select>
                </div>
            </form>
            {move || feed.with(|s| s.error.clone()).map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            <ol class="feed" aria-label="Activity, newest first">
                {move || feed.with(|s| s.items.iter().map(|e| {
                    let fresh = s.fresh.contains(&e.id);
                    view! { <FeedEntry entry=e.clone() fresh=fresh /> }
                }).collect_view())}
            </ol>
            {move || feed.with(|s| (!s.loading && s.items.is_empty() && s.error.is_none()).then(|| view! {
                <p class="empty">"Nothing here yet. What the team does shows up here as it happens."</p>
            }))}
            {move || feed.with(|s| s.loading).then(|| view! { <p class="loading" aria-busy="true">"Loading…"</p> })}
            <div node_ref=sentinel class="sentinel"></div>
            <Show when=move || feed.with(|s| s.next.is_some() && !s.loading)>
                <button class="secondary" on:click=move |_| load(true)>"Load older"</button>
            </Show>
        </main>
    }
}

fn kind_label(t: ResourceType) -> &'static str {
    match t {
        ResourceType::Project => "Projects",
        ResourceType::Asset => "Assets",
        ResourceType::Url => "Game addresses",
        ResourceType::Build => "Builds",
        ResourceType::User => "People and logins",
        ResourceType::ApiToken => "API tokens",
        ResourceType::Notification => "Messages",
        ResourceType::Job => "Background jobs",
        ResourceType::Webhook => "Webhooks",
    }
}

#[component]
fn FeedEntry(entry: ActivityEntry, fresh: bool) -> impl IntoView {
    let who = entry.user_email.clone().unwrap_or_else(|| "PetPixel Studio (automatic)".into());
    let what = entry.action.replace(['.', '_'], " ");
    let subject = entry.details["filename"]
        .as_str()
        .or_else(|| entry.details["title"].as_str())
        .or_else(|| entry.details["pet_name"].as_str())
        .map(str::to_owned);
    let changed: Vec<String> =
        entry.details["changes"].as_object().map(|c| c.keys().map(|k| k.replace('_', " ")).collect()).unwrap_or_default();
    view! {
        <li class="feed-entry" class:fresh=fresh data-action=entry.action.clone()>
            <span class="when">{date_time(entry.created_at)}</span>
            <span class="who">{who}</span>
            <span class="what">{what}</span>
            {subject.map(|s| view! { <span class="change">{s}</span> })}
            {(!changed.is_empty()).then(|| view! { <span class="change">{changed.join(", ")}</span> })}
            {entry.project_id.map(|p| {
                let name = entry.project_name.clone().unwrap_or_else(|| "Open the project".into());
                view! { <a class="small project-link" href=format!("/projects/{p}")>{name}</a> }
            })}
        </li>
    }
}
