//! One project: its details (editable in place by whoever may), status, assignee and history.

mod address;
mod assets;
mod game;
mod timeline;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use petpixel_types::activity::{ActivityEntry, CursorQuery};
use petpixel_types::project::{GameConfigInput, ProjectDetail, UpdateProject};
use petpixel_types::user::{User, UserQuery};
use petpixel_types::{Action, Resource, Role, ValidationErrors};
use uuid::Uuid;

use self::timeline::Timeline;
use crate::form::{optional, whole_number, SelectField, TextField};
use crate::session::{api, use_session};

#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let session = use_session();
    let id = move || params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let detail = RwSignal::new(None::<Result<ProjectDetail, String>>);
    let activity = RwSignal::new(Vec::<ActivityEntry>::new());
    let artists = RwSignal::new(Vec::<User>::new());
    let notice =
        RwSignal::new(query.with_untracked(|q| q.get("created")).map(|_| "Order saved: the project is in the backlog.".to_owned()));
    let failure = RwSignal::new(None::<String>);
    let editing = RwSignal::new(false);

    let load = move || {
        let Some(id) = id() else {
            detail.set(Some(Err("That is not a project address.".into())));
            return;
        };
        leptos::task::spawn_local(async move {
            detail.set(Some(api().get_project(id).await.map_err(|e| e.to_string())));
            if let Ok(page) = api().project_activity(id, &CursorQuery { before: None, limit: Some(50) }).await {
                activity.set(page.items);
            }
        });
    };
    load();
    if session.is_project_manager() {
        leptos::task::spawn_local(async move {
            let q = UserQuery { role: Some(Role::Artist), active: Some(true), limit: Some(100), ..Default::default() };
            if let Ok(page) = api().list_users(&q).await {
                artists.set(page.items);
            }
        });
    }

    // Live: this project's room while the page shows it. Someone else's change shows at once (not
    // over an edit in progress: that one's save is refused as stale, and says so); its history
    // grows as entries come; a reconnection reads everything afresh.
    Effect::new(move |_| {
        if let Some(id) = id() {
            crate::live::watch_project(id);
        }
    });
    crate::live::on::<petpixel_types::project::Project>(petpixel_types::realtime::PROJECT_UPDATED, move |p| {
        let shown = detail.with_untracked(|d| match d {
            Some(Ok(d)) if d.project.id == p.id => Some(d.project.version),
            _ => None,
        });
        if shown.is_some_and(|v| v < p.version) {
            if editing.get_untracked() {
                notice.set(Some("Someone else just changed this project; reload it before saving your edit.".into()));
            } else {
                load();
            }
        }
    });
    crate::live::on::<ActivityEntry>(petpixel_types::realtime::ACTIVITY, move |e| {
        if e.project_id.is_some() && e.project_id == id() && !activity.with_untracked(|a| a.iter().any(|x| x.id == e.id)) {
            activity.update(|a| a.insert(0, e));
        }
    });
    crate::live::on::<serde_json::Value>(crate::live::RESYNC, move |_| load());

    // After any change: the new state and the history that records it.
    let apply = move |result: Result<petpixel_types::project::Project, petpixel_client::ClientError>, done: &'static str| match result {
        Ok(_) => {
            failure.set(None);
            notice.set(Some(done.to_owned()));
            load();
        }
        Err(e) => failure.set(Some(e.to_string())),
    };

    let move_to = move |status: petpixel_types::project::ProjectStatus| {
        let Some(id) = id() else { return };
        leptos::task::spawn_local(async move { apply(api().set_project_status(id, status).await, "Status changed.") });
    };
    let assign = move |value: String| {
        let Some(id) = id() else { return };
        let artist = Uuid::parse_str(&value).ok();
        leptos::task::spawn_local(async move { apply(api().set_project_assignee(id, artist).await, "Assignment changed.") });
    };

    // The asset manager is made again only when the project or the right to change its assets
    // changes.
    let asset_access = Memo::new(move |_| {
        detail.with(|d| match d {
            Some(Ok(d)) => Some((d.project.id, session.can_on_project(Resource::Assets, Action::Create, d.project.assigned_artist_id))),
            _ => None,
        })
    });

    // Likewise the game panel, kept while the project is reloaded for other changes.
    let game_access = Memo::new(move |_| {
        detail.with(|d| match d {
            Some(Ok(d)) => Some(game::GameAccess {
                project_id: d.project.id,
                pet_name: d.project.pet_name.clone(),
                package: d.project.package_type,
                config: d.project.game_config.clone(),
                can_build: session.can_on_project(Resource::Builds, Action::Create, d.project.assigned_artist_id),
                can_delete: session.can_on_project(Resource::Builds, Action::Delete, d.project.assigned_artist_id),
            }),
            _ => None,
        })
    });

    let url_access = Memo::new(move |_| {
        detail.with(|d| match d {
            Some(Ok(d)) => Some(address::UrlAccess {
                project_id: d.project.id,
                can_manage: session.can_on_project(Resource::Urls, Action::Create, d.project.assigned_artist_id),
                can_see_views: session.can(Resource::Analytics, Action::Read),
            }),
            _ => None,
        })
    });

    let shown = move || detail.get().and_then(Result::ok);
    view! {
        <main class="page">
            {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            {move || match detail.get() {
                None => Some(view! { <p class="loading" aria-busy="true">"Loading the project…"</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="alert" role="alert">{e}</p><p><a href="/">"Back to the board"</a></p> }.into_any()),
                Some(Ok(_)) => None,
            }}
            {move || shown().map(|d| {
                let p = d.project;
                view! {
                    <header class="project-head">
                        <crate::pages::thumb::PetThumb photo=p.pet_photo.clone() size=64 />
                        <h1>{p.pet_name.clone()}<span class="muted">" for "{p.customer_name.clone()}</span></h1>
                        <span class=format!("status status-{}", p.status.as_str())>{p.status.label()}</span>
                        <span class=format!("tag priority-{}", p.priority.as_str())>{p.priority.as_str()}</span>
                        {p.overdue.then(|| view! { <span class="tag overdue-tag">"Overdue"</span> })}
                    </header>
                }
            })}
            // The page reads top-down: details, then the assets right under them, the workflow and
            // a short history beside; then the address and the game.
            <div class="project-grid">
                <div class="project-main">
                    {move || shown().map(|d| {
                        let can_edit = session.can_edit_project(d.project.assigned_artist_id);
                        view! {
                            <section class="panel" aria-label="Details">
                                {move || if editing.get() {
                                    view! { <EditProject detail=d.clone() editing=editing on_saved=move || { notice.set(Some("Saved.".into())); load(); } /> }.into_any()
                                } else {
                                    view! { <ProjectFacts detail=d.clone() /> }.into_any()
                                }}
                                {(can_edit).then(|| view! {
                                    <Show when=move || !editing.get()>
                                        <button class="secondary" on:click=move |_| editing.set(true)>"Edit details"</button>
                                    </Show>
                                })}
                                {(!can_edit).then(|| view! { <p class="muted small">"Only the assigned artist or a manager may change this project."</p> })}
                            </section>
                        }
                    })}
                    // Outside the project's view, so that reloading the project (after a status
                    // change, say) keeps the asset manager, its uploads under way and its selection.
                    {move || asset_access.get().map(|(project_id, can_manage)| view! { <AssetPanel project_id=project_id can_manage=can_manage /> })}
                </div>
                {move || shown().map(|d| {
                    let p = d.project;
                    let can_edit = session.can_edit_project(p.assigned_artist_id);
                    let manager = session.is_project_manager();
                    let moves = if can_edit { p.status.next(manager) } else { vec![] };
                    let assignee = p.assigned_artist_id.map(|a| a.to_string()).unwrap_or_default();
                    view! {
                        <aside class="panel side">
                            <h2>"Workflow"</h2>
                            <div class="moves">
                                {moves.into_iter().map(|s| view! {
                                    <button class="secondary" on:click=move |_| move_to(s)>{format!("Move to {}", s.label())}</button>
                                }).collect_view()}
                            </div>
                            <h2>"Artist"</h2>
                            {if manager {
                                view! {
                                    <select aria-label="Assigned artist" on:change=move |ev| assign(event_target_value(&ev))>
                                        <option value="" selected=assignee.is_empty()>"Unassigned"</option>
                                        {move || artists.get().into_iter().map(|u| {
                                            let v = u.id.to_string();
                                            let selected = v == assignee;
                                            view! { <option value=v selected=selected>{u.display_name}</option> }
                                        }).collect_view()}
                                    </select>
                                }.into_any()
                            } else {
                                view! { <p>{p.assigned_artist.as_ref().map(|a| a.display_name.clone()).unwrap_or_else(|| "Unassigned".into())}</p> }.into_any()
                            }}
                            <h2>"History"</h2>
                            <Timeline entries=activity artists=artists assignee=p.assigned_artist.clone() />
                        </aside>
                    }
                })}
            </div>
            {move || url_access.get().map(|access| view! { <UrlPanel access=access /> })}
            {move || game_access.get().map(|access| view! { <GamePanel access=access /> })}
        </main>
    }
}

/// The asset manager, fetched as its own chunk the first time a project page shows it.
#[component]
fn AssetPanel(project_id: Uuid, can_manage: bool) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <section class="panel assets"><p class="loading" aria-busy="true">"Loading the assets…"</p></section> }>
            {Suspend::new(send_wrapper::SendWrapper::new(assets::asset_manager(project_id, can_manage)))}
        </Suspense>
    }
}

/// The game's address, fetched as its own chunk the first time a project page shows it.
#[component]
fn UrlPanel(access: address::UrlAccess) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <section class="panel address"><p class="loading" aria-busy="true">"Loading the address…"</p></section> }>
            {Suspend::new(send_wrapper::SendWrapper::new(address::url_panel(access.clone())))}
        </Suspense>
    }
}

/// The game builder, fetched as its own chunk the first time a project page shows it.
#[component]
fn GamePanel(access: game::GameAccess) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <section class="panel game"><p class="loading" aria-busy="true">"Loading the game builder…"</p></section> }>
            {Suspend::new(send_wrapper::SendWrapper::new(game::game_builder(access.clone())))}
        </Suspense>
    }
}

#[component]
fn ProjectFacts(detail: ProjectDetail) -> impl IntoView {
    let p = detail.project;
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    // Withheld from artists on projects that are not theirs: say so rather than show nothing.
    let hidden = || "Shown to the project's artist and managers".to_owned();
    let facts: Vec<(&'static str, String)> = vec![
        ("Customer", p.customer_name.clone()),
        ("E-mail", if p.contact_hidden { hidden() } else { or_dash(p.customer_email.clone()) }),
        ("Phone", if p.contact_hidden { hidden() } else { or_dash(p.customer_phone.clone()) }),
        ("Pet", p.pet_name.clone()),
        ("Breed", or_dash(p.pet_breed.clone())),
        ("Age", or_dash(p.pet_age.map(|a| a.to_string()))),
        ("Personality", or_dash(p.pet_personality.clone())),
        ("Package", p.package_type.as_str().to_owned()),
        ("Deadline", or_dash(p.deadline.map(crate::time::long_date))),
        (
            "Hours",
            format!(
                "{} estimated, {} spent",
                or_dash(p.estimated_hours.map(|h| h.to_string())),
                or_dash(p.actual_hours.map(|h| h.to_string()))
            ),
        ),
        ("Game", format!("{} ({})", p.game_config.theme, p.game_config.difficulty.as_str())),
        ("Features", if p.game_config.features.is_empty() { "—".into() } else { p.game_config.features.join(", ") }),
        ("Notes", or_dash(p.notes.clone())),
    ];
    view! {
        <dl class="facts">
            {facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd data-field=k>{v}</dd> }).collect_view()}
        </dl>
    }
}

#[component]
fn EditProject(detail: ProjectDetail, editing: RwSignal<bool>, on_saved: impl Fn() + Clone + 'static) -> impl IntoView {
    let p = detail.project;
    let text = |v: &str| RwSignal::new(v.to_owned());
    let opt = |v: &Option<String>| RwSignal::new(v.clone().unwrap_or_default());
    let num = |v: Option<i32>| RwSignal::new(v.map(|n| n.to_string()).unwrap_or_default());
    let (customer_name, customer_email, customer_phone) = (text(&p.customer_name), opt(&p.customer_email), opt(&p.customer_phone));
    let contact_hidden = p.contact_hidden;
    let (pet_name, pet_breed, pet_age) = (text(&p.pet_name), opt(&p.pet_breed), num(p.pet_age));
    let (estimated, actual) = (num(p.estimated_hours), num(p.actual_hours));
    let deadline = RwSignal::new(p.deadline.map(|d| d.to_string()).unwrap_or_default());
    let priority = RwSignal::new(p.priority.as_str().to_owned());
    let theme = text(&p.game_config.theme);
    let difficulty = RwSignal::new(p.game_config.difficulty.as_str().to_owned());
    let features = RwSignal::new(p.game_config.features.join(", "));
    let notes = opt(&p.notes);
    let errors = RwSignal::new(ValidationErrors::new());
    let failure = RwSignal::new(None::<String>);
    let (id, version) = (p.id, p.version);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut local = ValidationErrors::new();
        let changes = UpdateProject {
            customer_name: Some(customer_name.get_untracked()),
            customer_email: (!contact_hidden).then(|| customer_email.get_untracked()),
            customer_phone: (!contact_hidden).then(|| optional(&customer_phone)),
            pet_name: Some(pet_name.get_untracked()),
            pet_breed: Some(optional(&pet_breed)),
            pet_age: Some(whole_number(&mut local, "pet_age", &pet_age)),
            priority: priority.get_untracked().parse().ok(),
            deadline: Some(optional(&deadline).and_then(|d| d.parse().ok())),
            estimated_hours: Some(whole_number(&mut local, "estimated_hours", &estimated)),
            actual_hours: Some(whole_number(&mut local, "actual_hours", &actual)),
            game_config: Some(GameConfigInput {
                theme: theme.get_untracked(),
                difficulty: difficulty.get_untracked().parse().ok(),
                features: features.get_untracked().split(',').map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned).collect(),
            }),
            notes: Some(optional(&notes)),
            ..Default::default()
        };
        if let Err(e) = changes.validate() {
            local.0.extend(e.0);
        }
        if !local.is_empty() {
            errors.set(local);
            return;
        }
        let on_saved = on_saved.clone();
        leptos::task::spawn_local(async move {
            match api().update_project(id, &changes, Some(version)).await {
                Ok(_) => {
                    editing.set(false);
                    on_saved();
                }
                // Someone else saved first: keep this person's input on screen, and say so.
                Err(e) if e.status() == Some(409) => {
                    failure.set(Some(format!("{} Your edits are still here: copy what you need, then cancel and edit again.", e)))
                }
                Err(e) => {
                    if let Some(p) = e.problem() {
                        errors.set(ValidationErrors(p.errors.clone()));
                    }
                    failure.set(Some(e.to_string()));
                }
            }
        });
    };

    view! {
        <form class="form" on:submit=save novalidate>
            <TextField label="Customer" name="customer_name" value=customer_name errors=errors />
            <TextField label="E-mail" name="customer_email" value=customer_email errors=errors kind="email" />
            <TextField label="Phone" name="customer_phone" value=customer_phone errors=errors kind="tel" />
            <TextField label="Pet" name="pet_name" value=pet_name errors=errors />
            <TextField label="Breed" name="pet_breed" value=pet_breed errors=errors />
            <TextField label="Age" name="pet_age" value=pet_age errors=errors kind="number" />
            <SelectField label="Priority" name="priority" value=priority errors=errors
                choices=vec![("low", "Low"), ("normal", "Normal"), ("high", "High"), ("urgent", "Urgent")] />
            <TextField label="Deadline" name="deadline" value=deadline errors=errors kind="date" />
            <TextField label="Estimated hours" name="estimated_hours" value=estimated errors=errors kind="number" />
            <TextField label="Hours spent" name="actual_hours" value=actual errors=errors kind="number" />
            <TextField label="Theme" name="game_config.theme" value=theme errors=errors />
            <SelectField label="Difficulty" name="game_config.difficulty" value=difficulty errors=errors
                choices=vec![("easy", "Easy"), ("medium", "Medium"), ("hard", "Hard")] />
            <TextField label="Features" name="game_config.features" value=features errors=errors />
            <div class="field">
                <label for="notes">"Notes"</label>
                <textarea id="notes" name="notes" rows="3" bind:value=notes></textarea>
            </div>
            {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            <div class="actions">
                <button type="submit" class="primary">"Save"</button>
                <button type="button" class="link" on:click=move |_| editing.set(false)>"Cancel"</button>
            </div>
        </form>
    }
}
