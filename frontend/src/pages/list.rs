//! The project list: filters, search, sort and page all live in the URL's query
//! ([`crate::filters`]).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use petpixel_types::page::Page;
use petpixel_types::project::{Project, ProjectQuery};
use petpixel_types::user::{User, UserQuery};
use petpixel_types::Role;

use crate::filters::with_param;
use crate::session::{api, use_session};

const PAGE_SIZE: i64 = 25;
const FILTERS: [&str; 9] = ["status", "priority", "package_type", "assigned_to", "due_before", "overdue", "q", "sort", "deleted"];

#[component]
pub fn ProjectList() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let result = RwSignal::new(None::<Result<Page<Project>, String>>);
    let artists = RwSignal::new(Vec::<User>::new());
    let generation = StoredValue::new(0u64);
    // Bumped to read the page again (after a restore).
    let reload = RwSignal::new(0u32);
    let restoring = RwSignal::new(None::<uuid::Uuid>);
    let restore_error = RwSignal::new(None::<String>);

    let current = Memo::new(move |_| {
        query.with(|q| ProjectQuery {
            status: q.get("status"),
            assigned_to: q.get("assigned_to"),
            priority: q.get("priority"),
            package_type: q.get("package_type"),
            q: q.get("q"),
            due_before: q.get("due_before").and_then(|d| d.parse().ok()),
            overdue: q.get("overdue").and_then(|v| v.parse().ok()),
            deleted: q.get("deleted").and_then(|v| v.parse().ok()),
            sort: q.get("sort"),
            limit: Some(PAGE_SIZE),
            offset: q.get("offset").and_then(|v| v.parse().ok()),
        })
    });

    Effect::new(move |_| {
        reload.track();
        let q = current.get();
        // Answers can overtake each other; only the latest request's may land.
        let mine = generation.get_value() + 1;
        generation.set_value(mine);
        if let Err(e) = q.validate() {
            result.set(Some(Err(e.to_string())));
            return;
        }
        leptos::task::spawn_local(async move {
            let answer = api().list_projects(&q).await.map_err(|e| e.to_string());
            // The page may be gone by now (a lost session): its values with it.
            if generation.try_get_value() == Some(mine) {
                result.set(Some(answer));
            }
        });
    });
    if session.can(petpixel_types::Resource::Users, petpixel_types::Action::Read) {
        leptos::task::spawn_local(async move {
            let q = UserQuery { role: Some(Role::Artist), active: Some(true), limit: Some(100), ..Default::default() };
            if let Ok(page) = api().list_users(&q).await {
                artists.set(page.items);
            }
        });
    }

    // A new value for one parameter; any change but paging goes back to the first page.
    let set = move |key: &'static str, value: String| {
        let url = query.with_untracked(|q| with_param("/projects", q, &FILTERS, key, &value));
        navigate(&url, NavigateOptions { replace: key == "q", ..Default::default() });
    };
    let param = move |key: &'static str| move || query.with(|q| q.get(key).unwrap_or_default());
    let set_q = set.clone();
    let set_due = set.clone();
    let set_artist = set.clone();
    let set_page = set.clone();
    let set_deleted = set.clone();
    let deleted = move || query.with(|q| q.get("deleted").as_deref() == Some("true"));
    let restore = move |id: uuid::Uuid| {
        restoring.set(Some(id));
        restore_error.set(None);
        leptos::task::spawn_local(async move {
            match api().restore_project(id).await {
                Ok(_) => reload.update(|n| *n += 1),
                Err(e) => restore_error.set(Some(format!("Could not restore the project: {e}"))),
            }
            restoring.set(None);
        });
    };
    let select = move |label: &'static str, key: &'static str, choices: Vec<(&'static str, &'static str)>| {
        let set = set.clone();
        view! {
            <div class="filter">
                <label for=format!("filter-{key}")>{label}</label>
                <select id=format!("filter-{key}") on:change=move |ev| set(key, event_target_value(&ev)) prop:value=param(key)>
                    {choices.into_iter().map(|(v, t)| view! { <option value=v selected=move || param(key)() == v>{t}</option> }).collect_view()}
                </select>
            </div>
        }
    };

    view! {
        <main class="page">
            <h1>"Projects"</h1>
            <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
                <div class="filter grow">
                    <label for="filter-q">"Search"</label>
                    <input id="filter-q" type="search" placeholder="Customer, pet or notes" prop:value=param("q")
                        on:change=move |ev| set_q("q", event_target_value(&ev)) />
                </div>
                {select("Status", "status", vec![("", "Any"), ("backlog", "Backlog"), ("in_progress", "In progress"), ("review", "Review"), ("complete", "Complete")])}
                {select("Priority", "priority", vec![("", "Any"), ("urgent", "Urgent"), ("high", "High"), ("normal", "Normal"), ("low", "Low")])}
                {select("Package", "package_type", vec![("", "Any"), ("express", "Express"), ("custom", "Custom"), ("premium", "Premium")])}
                <div class="filter">
                    <label for="filter-assigned_to">"Artist"</label>
                    <select id="filter-assigned_to" on:change=move |ev| set_artist("assigned_to", event_target_value(&ev)) prop:value=param("assigned_to")>
                        <option value="" selected=move || param("assigned_to")().is_empty()>"Anyone"</option>
                        <option value="me" selected=move || param("assigned_to")() == "me">"Me"</option>
                        <option value="none" selected=move || param("assigned_to")() == "none">"Unassigned"</option>
                        {move || artists.get().into_iter().map(|u| {
                            let v = u.id.to_string();
                            let selected = move || param("assigned_to")() == v;
                            view! { <option value=u.id.to_string() selected=selected>{u.display_name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="filter">
                    <label for="filter-due_before">"Due before"</label>
                    <input id="filter-due_before" type="date" prop:value=param("due_before") on:change=move |ev| set_due("due_before", event_target_value(&ev)) />
                </div>
                {select("Sort", "sort", vec![("", "Newest first"), ("deadline", "Deadline"), ("-priority", "Priority"), ("pet_name", "Pet name"), ("customer_name", "Customer"), ("-updated_at", "Recently changed")])}
                <Show when=move || session.is_admin()>
                    <div class="filter checkbox">
                        <input id="filter-deleted" type="checkbox" prop:checked=deleted
                            on:change={
                                let set = set_deleted.clone();
                                move |ev| set("deleted", if event_target_checked(&ev) { "true".into() } else { String::new() })
                            } />
                        <label for="filter-deleted">"Deleted"</label>
                    </div>
                </Show>
                <a class="link" href="/projects">"Clear"</a>
            </form>
            <Show when=deleted>
                <p class="muted">"Deleted projects are purged with their files after the retention period; until then an admin can restore them."</p>
            </Show>
            {move || restore_error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            {move || match result.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading projects…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e}</p> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <p class="empty-state">"No projects match these filters. "<a href="/projects">"Clear them"</a></p>
                }.into_any(),
                Some(Ok(page)) => {
                    let (from, to, total) = (page.offset + 1, page.offset + page.items.len() as u64, page.total);
                    let offset = page.offset as i64;
                    let set_prev = set_page.clone();
                    let set_next = set_page.clone();
                    view! {
                        <div class="table-wrap">
                            <table class="projects">
                                <thead><tr><th>"Pet"</th><th>"Customer"</th><th>"Status"</th><th>"Priority"</th><th>"Package"</th><th>"Deadline"</th><th>"Artist"</th>
                                    {deleted().then(|| view! { <th>"Deleted"</th> })}</tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|p| view! {
                                        <tr class:overdue=p.overdue>
                                            <td class="pet-cell"><crate::pages::thumb::PetThumb photo=p.pet_photo.clone() size=32 />
                                                {if p.deleted_at.is_some() {
                                                    view! { <span>{p.pet_name.clone()}</span> }.into_any()
                                                } else {
                                                    view! { <a href=format!("/projects/{}", p.id)>{p.pet_name.clone()}</a> }.into_any()
                                                }}
                                            </td>
                                            <td>{p.customer_name.clone()}</td>
                                            <td>{p.status.label()}</td>
                                            <td><span class=format!("tag priority-{}", p.priority.as_str())>{p.priority.as_str()}</span></td>
                                            <td>{p.package_type.as_str()}</td>
                                            <td class="deadline">{p.deadline.map(crate::time::long_date).unwrap_or_else(|| "—".into())}</td>
                                            <td>{p.assigned_artist.map(|a| a.display_name).unwrap_or_else(|| "Unassigned".into())}</td>
                                            {p.deleted_at.map(|at| {
                                                let id = p.id;
                                                view! {
                                                    <td class="deleted-cell">
                                                        {crate::time::long_date(at.date_naive())}" "
                                                        <button class="secondary" disabled=move || restoring.get().is_some()
                                                            aria-label=format!("Restore {}", p.pet_name)
                                                            on:click=move |_| restore(id)>
                                                            {move || if restoring.get() == Some(id) { "Restoring…" } else { "Restore" }}
                                                        </button>
                                                    </td>
                                                }
                                            })}
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <nav class="pager" aria-label="Pages">
                            <span class="muted">{format!("{from}–{to} of {total}")}</span>
                            <button class="secondary" disabled={offset == 0}
                                on:click=move |_| set_prev("offset", (offset - PAGE_SIZE).max(0).to_string())>"Previous"</button>
                            <button class="secondary" disabled={to >= total}
                                on:click=move |_| set_next("offset", (offset + PAGE_SIZE).to_string())>"Next"</button>
                        </nav>
                    }.into_any()
                }
            }}
        </main>
    }
}
