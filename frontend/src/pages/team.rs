//! The team: who is on it, in what role. Admins add members, change roles, deactivate; managers
//! send a member a message.

use leptos::prelude::*;
use petpixel_types::notification::SendNotification;
use petpixel_types::user::{CreateUser, SetRole, UpdateUser, User, UserQuery};
use petpixel_types::{Action, Permission, Resource, Role, ValidationErrors};

use crate::form::{optional, SelectField, TextField};
use crate::session::{api, use_session};

fn load(members: RwSignal<Option<Result<Vec<User>, String>>>) {
    leptos::task::spawn_local(async move {
        let q = UserQuery { limit: Some(100), ..Default::default() };
        members.set(Some(api().list_users(&q).await.map(|p| p.items).map_err(|e| e.to_string())));
    });
}

#[component]
pub fn Team() -> impl IntoView {
    let session = use_session();
    let members = RwSignal::new(None::<Result<Vec<User>, String>>);
    let notice = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);
    let can_create = session.can(Resource::Users, Action::Create);
    let can_update = session.can(Resource::Users, Action::Update);
    let can_message = session.can(Resource::Notifications, Action::Create);
    let writing_to = RwSignal::new(None::<User>);
    let message_done = move |sent: Option<String>| {
        writing_to.set(None);
        if let Some(what) = sent {
            notice.set(Some(what));
        }
    };
    load(members);

    let done = move |result: Result<User, petpixel_client::ClientError>, what: String| match result {
        Ok(_) => {
            failure.set(None);
            notice.set(Some(what));
            load(members);
        }
        Err(e) => failure.set(Some(e.to_string())),
    };
    let change_role = move |user: User, role: String| {
        let Ok(role) = role.parse::<Role>() else { return };
        let request = SetRole { role, permissions: user.permissions.clone() };
        leptos::task::spawn_local(async move {
            done(api().set_user_role(user.id, &request).await, format!("{} is now {}.", user.display_name, role.as_str()))
        });
    };
    let grants_of = RwSignal::new(None::<User>);
    let save_grants = move |user: User, permissions: Vec<Permission>| {
        let request = SetRole { role: user.role, permissions };
        leptos::task::spawn_local(async move {
            grants_of.set(None);
            done(api().set_user_role(user.id, &request).await, format!("{}'s extra permissions are saved.", user.display_name))
        });
    };
    let toggle_active = move |user: User| {
        let verb = if user.active { "Deactivate" } else { "Reactivate" };
        let question = format!("{verb} {}? {}", user.display_name, if user.active { "They are logged out at once." } else { "" });
        if !window().confirm_with_message(&question).unwrap_or(false) {
            return;
        }
        let changes = UpdateUser { active: Some(!user.active), ..Default::default() };
        leptos::task::spawn_local(async move {
            let what = format!("{} is {}.", user.display_name, if user.active { "deactivated" } else { "active again" });
            done(api().update_user(user.id, &changes).await, what)
        });
    };

    let on_added = move |user: Option<User>| {
        adding.set(false);
        if let Some(u) = user {
            notice.set(Some(format!("{} joined the team.", u.display_name)));
            load(members);
        }
    };

    view! {
        <main class="page">
            <div class="page-head">
                <h1>"Team"</h1>
                {can_create.then(|| view! {
                    <Show when=move || !adding.get()>
                        <button class="primary" on:click=move |_| adding.set(true)>"Add member"</button>
                    </Show>
                })}
            </div>
            {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            <Show when=move || adding.get()>
                <AddMember on_done=on_added />
            </Show>
            {move || grants_of.get().map(|u| view! { <Grants user=u on_save=save_grants on_cancel=move || grants_of.set(None) /> })}
            {move || writing_to.get().map(|u| view! { <SendMessage user=u on_done=message_done /> })}
            {move || match members.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading the team…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="projects team">
                            <thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Role"</th><th>"State"</th><th>"Last login"</th>{(can_update || can_message).then(|| view! { <th></th> })}</tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| {
                                    let me = session.user_id() == Some(u.id);
                                    let role_cell = if can_update && !me {
                                        let user = u.clone();
                                        let current = u.role;
                                        view! {
                                            <select aria-label=format!("Role of {}", u.display_name) on:change=move |ev| change_role(user.clone(), event_target_value(&ev))>
                                                {Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == current>{r.as_str()}</option> }).collect_view()}
                                            </select>
                                        }.into_any()
                                    } else {
                                        view! { <span>{u.role.as_str()}</span> }.into_any()
                                    };
                                    let user = u.clone();
                                    let for_grants = u.clone();
                                    let for_message = u.clone();
                                    let may_write = can_message && !me && u.active;
                                    let extra = if u.permissions.is_empty() { "none".to_owned() } else { u.permissions.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ") };
                                    view! {
                                        <tr class:inactive=!u.active>
                                            <td>{u.display_name.clone()}</td>
                                            <td>{u.email.clone()}</td>
                                            <td>{role_cell}<span class="muted small grants">" + "{extra}</span></td>
                                            <td>{if u.active { "Active" } else { "Deactivated" }}</td>
                                            <td>{u.last_login.map(crate::time::date_time).unwrap_or_else(|| "Never".into())}</td>
                                            {(can_update || can_message).then(|| view! {
                                                <td>
                                                    {may_write.then(|| view! {
                                                        <button class="link" on:click=move |_| writing_to.set(Some(for_message.clone()))>"Message"</button>
                                                    })}
                                                    {(can_update && !me).then(|| view! {
                                                        <button class="link" on:click=move |_| grants_of.set(Some(for_grants.clone()))>"Permissions"</button>
                                                        <button class="link" on:click=move |_| toggle_active(user.clone())>
                                                            {if user.active { "Deactivate" } else { "Reactivate" }}
                                                        </button>
                                                    })}
                                                </td>
                                            })}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </main>
    }
}

#[component]
fn AddMember(on_done: impl Fn(Option<User>) + Copy + 'static) -> impl IntoView {
    let s = || RwSignal::new(String::new());
    let (email, first_name, last_name, password) = (s(), s(), s(), s());
    let role = RwSignal::new("artist".to_owned());
    let errors = RwSignal::new(ValidationErrors::new());
    let failure = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = CreateUser {
            email: email.get_untracked(),
            password: password.get_untracked(),
            first_name: optional(&first_name),
            last_name: optional(&last_name),
            role: role.get_untracked().parse().ok(),
            permissions: vec![],
        };
        if let Err(e) = request.validate() {
            errors.set(e);
            return;
        }
        errors.set(ValidationErrors::new());
        leptos::task::spawn_local(async move {
            match api().create_user(&request).await {
                Ok(user) => on_done(Some(user)),
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
        <form class="panel form add-member" on:submit=submit novalidate aria-label="Add member">
            <fieldset>
                <legend>"New member"</legend>
                <TextField label="E-mail" name="email" value=email errors=errors kind="email" />
                <TextField label="First name" name="first_name" value=first_name errors=errors />
                <TextField label="Last name" name="last_name" value=last_name errors=errors />
                <SelectField label="Role" name="role" value=role errors=errors choices=vec![("artist", "Artist"), ("manager", "Manager"), ("admin", "Admin")] />
                <TextField label="Initial password" name="password" value=password errors=errors kind="password" hint="At least 12 characters, not a common password; they can change it on their profile." />
            </fieldset>
            {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            <div class="actions">
                <button type="submit" class="primary">"Add to the team"</button>
                <button type="button" class="link" on:click=move |_| on_done(None)>"Cancel"</button>
            </div>
        </form>
    }
}

/// A member's grants on top of their role: one checkbox per `resource:action`.
#[component]
fn Grants(user: User, on_save: impl Fn(User, Vec<Permission>) + Copy + 'static, on_cancel: impl Fn() + Copy + 'static) -> impl IntoView {
    let chosen = RwSignal::new(user.permissions.clone());
    let role_has: Vec<Permission> =
        petpixel_types::Permissions::for_user(user.role, &[]).expanded().into_iter().map(|g| g.permission).collect();
    let all: Vec<Permission> = Resource::ALL.iter().flat_map(|r| Action::ALL.iter().map(move |a| Permission::new(*r, *a))).collect();
    let name = user.display_name.clone();
    view! {
        <section class="panel grants-panel" aria-label=format!("Permissions of {name}")>
            <h2>{format!("Extra permissions for {name}")}</h2>
            <p class="muted small">{format!("On top of what the {} role gives (ticked and greyed).", user.role.as_str())}</p>
            <div class="scopes">
                {all.into_iter().map(|p| {
                    let from_role = role_has.contains(&p);
                    view! {
                        <label class="check" class:muted=from_role>
                            <input type="checkbox" disabled=from_role
                                prop:checked=move || from_role || chosen.with(|c| c.contains(&p))
                                on:change=move |_| chosen.update(|c| if let Some(i) = c.iter().position(|x| *x == p) { c.remove(i); } else { c.push(p); }) />
                            {p.to_string()}
                        </label>
                    }
                }).collect_view()}
            </div>
            <div class="actions">
                <button class="primary" on:click=move |_| on_save(user.clone(), chosen.get_untracked())>"Save permissions"</button>
                <button class="link" on:click=move |_| on_cancel()>"Cancel"</button>
            </div>
        </section>
    }
}

/// A manager's message to one person: under their bell at once, and by e-mail if they chose so.
#[component]
fn SendMessage(user: User, on_done: impl Fn(Option<String>) + Copy + 'static) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let failure = RwSignal::new(None::<String>);
    let (id, name) = (user.id, user.display_name.clone());
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = message.get_untracked();
        let request = SendNotification {
            user_id: id,
            title: title.get_untracked(),
            message: (!body.trim().is_empty()).then_some(body),
            project_id: None,
        };
        if let Err(e) = request.validate() {
            errors.set(e);
            return;
        }
        let name = name.clone();
        leptos::task::spawn_local(async move {
            match api().send_notification(&request).await {
                Ok(_) => on_done(Some(format!("Message sent to {name}."))),
                Err(e) => failure.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="panel form" on:submit=send novalidate aria-label=format!("Message to {}", user.display_name)>
            <fieldset>
                <legend>{format!("Message to {}", user.display_name)}</legend>
                {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
                <TextField label="Title" name="title" value=title errors=errors />
                <label for="message-body">"Message (optional)"</label>
                <textarea id="message-body" rows="3" maxlength="2000" prop:value=move || message.get()
                    on:input=move |ev| message.set(event_target_value(&ev))></textarea>
            </fieldset>
            <button type="submit" class="primary">"Send"</button>
            <button type="button" class="link" on:click=move |_| on_done(None)>"Cancel"</button>
        </form>
    }
}
