//! Your profile: name, password, which notifications you also get by e-mail, and API tokens for
//! integrations; for admins, the e-mail outbox.

use leptos::prelude::*;
use petpixel_types::api_token::{ApiToken, CreateApiToken, CreatedApiToken};
use petpixel_types::notification::{EmailPreferences, EmailQuery, NotificationKind, OutboxEmail, UpdateEmailPreferences};
use petpixel_types::user::UpdateUser;
use petpixel_types::{Permission, ValidationErrors};

use crate::form::{optional, TextField};
use crate::session::{api, use_session};

#[component]
pub fn Profile() -> impl IntoView {
    let session = use_session();
    let me = session.me.get_untracked();
    let Some(me) = me else { return view! { <p class="loading">"Loading…"</p> }.into_any() };
    let user = me.user.clone();
    let first = RwSignal::new(user.first_name.clone().unwrap_or_default());
    let last = RwSignal::new(user.last_name.clone().unwrap_or_default());
    let current = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let notice = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let id = user.id;

    let save = move |changes: UpdateUser, done: &'static str| {
        if let Err(e) = changes.validate() {
            errors.set(e);
            return;
        }
        errors.set(ValidationErrors::new());
        leptos::task::spawn_local(async move {
            match api().update_user(id, &changes).await {
                Ok(_) => {
                    failure.set(None);
                    notice.set(Some(done.into()));
                    current.set(String::new());
                    new_password.set(String::new());
                    if let Ok(me) = api().me().await {
                        session.me.set(Some(me));
                    }
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
    let save_name = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save(
            UpdateUser { first_name: Some(optional(&first)), last_name: Some(optional(&last)), ..Default::default() },
            "Your name is saved.",
        );
    };
    let save_password = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let changes = UpdateUser {
            password: Some(new_password.get_untracked()),
            current_password: Some(current.get_untracked()),
            ..Default::default()
        };
        save(changes, "Your password is changed; your other sessions have ended.");
    };

    view! {
        <main class="page narrow">
            <h1>"Your profile"</h1>
            <p class="muted">{user.email.clone()}" · "{user.role.as_str()}</p>
            {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            <form class="panel form" on:submit=save_name novalidate aria-label="Your name">
                <fieldset>
                    <legend>"Name"</legend>
                    <TextField label="First name" name="first_name" value=first errors=errors />
                    <TextField label="Last name" name="last_name" value=last errors=errors />
                </fieldset>
                <button type="submit" class="primary">"Save name"</button>
            </form>
            <form class="panel form" on:submit=save_password novalidate aria-label="Password">
                <fieldset>
                    <legend>"Password"</legend>
                    <TextField label="Current password" name="current_password" value=current errors=errors kind="password" />
                    <TextField label="New password" name="password" value=new_password errors=errors kind="password" hint="At least 12 characters, not a common password." />
                </fieldset>
                <p class="muted">
                    "Changing it logs you out everywhere else. Your API tokens keep working: revoke them below if they may have leaked too."
                </p>
                <button type="submit" class="primary">"Change password"</button>
            </form>
            <EmailChoices admin=session.is_admin() />
            <ApiTokens permissions=me.permissions.iter().map(|g| g.permission).collect() />
            {session.is_admin().then(|| view! { <Outbox /> })}
        </main>
    }
    .into_any()
}

#[component]
fn ApiTokens(permissions: Vec<Permission>) -> impl IntoView {
    let tokens = RwSignal::new(None::<Result<Vec<ApiToken>, String>>);
    let created = RwSignal::new(None::<CreatedApiToken>);
    let name = RwSignal::new(String::new());
    let days = RwSignal::new("90".to_owned());
    let chosen = RwSignal::new(Vec::<Permission>::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let failure = RwSignal::new(None::<String>);
    let load = move || leptos::task::spawn_local(async move { tokens.set(Some(api().list_api_tokens().await.map_err(|e| e.to_string()))) });
    load();

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = CreateApiToken {
            name: name.get_untracked(),
            scopes: chosen.get_untracked(),
            expires_in_days: days.get_untracked().trim().parse().ok(),
        };
        if let Err(e) = request.validate() {
            errors.set(e);
            return;
        }
        errors.set(ValidationErrors::new());
        leptos::task::spawn_local(async move {
            match api().create_api_token(&request).await {
                Ok(token) => {
                    failure.set(None);
                    created.set(Some(token));
                    name.set(String::new());
                    chosen.set(vec![]);
                    load();
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
    let revoke = move |token: ApiToken| {
        if !window()
            .confirm_with_message(&format!("Revoke \u{201c}{}\u{201d}? Whatever uses it stops working at once.", token.name))
            .unwrap_or(false)
        {
            return;
        }
        leptos::task::spawn_local(async move {
            match api().delete_api_token(token.id).await {
                Ok(()) => load(),
                Err(e) => failure.set(Some(e.to_string())),
            }
        });
    };

    view! {
        <section class="panel" aria-label="API tokens">
            <h2>"API tokens"</h2>
            <p class="muted small">"For integrations such as the shop. A token never does more than you can."</p>
            {move || created.get().map(|t| view! {
                <div class="secret" role="status">
                    <p>"Copy the token for \u{201c}"{t.token.name.clone()}"\u{201d} now: it will not be shown again."</p>
                    <code class="token-secret">{t.secret.clone()}</code>
                    <button class="link" on:click=move |_| created.set(None)>"Done"</button>
                </div>
            })}
            {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            {move || match tokens.get() {
                None => view! { <p class="loading">"Loading tokens…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert">{e}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No tokens yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="tokens">
                        {list.into_iter().map(|t| {
                            let scopes = t.scopes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ");
                            let token = t.clone();
                            view! {
                                <li>
                                    <strong>{t.name.clone()}</strong>
                                    <span class="muted small">{scopes}" · expires "{crate::time::day_of(t.expires_at)}</span>
                                    <button class="link" on:click=move |_| revoke(token.clone())>"Revoke"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <form class="form" on:submit=create novalidate aria-label="New token">
                <TextField label="Token name" name="name" value=name errors=errors />
                <fieldset class="scopes">
                    <legend>"Permissions"</legend>
                    {permissions.into_iter().map(|p| {
                        let text = p.to_string();
                        view! {
                            <label class="check">
                                <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&p))
                                    on:change=move |_| chosen.update(|c| if let Some(i) = c.iter().position(|x| *x == p) { c.remove(i); } else { c.push(p); }) />
                                {text}
                            </label>
                        }
                    }).collect_view()}
                    {crate::form::field_error(errors, "scopes")}
                </fieldset>
                <TextField label="Expires in (days)" name="expires_in_days" value=days errors=errors kind="number" hint="1 to 365" />
                <button type="submit" class="primary">"Create token"</button>
            </form>
        </section>
    }
}

/// Which notifications also come by e-mail: each box saves as it is ticked.
#[component]
fn EmailChoices(admin: bool) -> impl IntoView {
    let prefs = RwSignal::new(None::<EmailPreferences>);
    let failure = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        match api().notification_preferences().await {
            Ok(p) => prefs.set(Some(p)),
            Err(e) => failure.set(Some(e.to_string())),
        }
    });
    let choose = move |kind: NotificationKind, email: bool| {
        let mut change = UpdateEmailPreferences::default();
        let field = match kind {
            NotificationKind::Assigned => &mut change.assigned,
            NotificationKind::Unassigned => &mut change.unassigned,
            NotificationKind::StatusChanged => &mut change.status_changed,
            NotificationKind::Mention => &mut change.mention,
            NotificationKind::Deadline => &mut change.deadline,
            NotificationKind::Message => &mut change.message,
            NotificationKind::WebhookDisabled => &mut change.webhook_disabled,
            NotificationKind::MentionNotSent => &mut change.mention_not_sent,
        };
        *field = Some(email);
        leptos::task::spawn_local(async move {
            match api().update_notification_preferences(&change).await {
                Ok(p) => {
                    prefs.set(Some(p));
                    failure.set(None);
                    saved.set(true);
                }
                Err(e) => failure.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="panel form" aria-label="E-mail notifications">
            <fieldset>
                <legend>"E-mail me when…"</legend>
                <p class="muted small">"You always see notifications under the bell; tick what should also reach your inbox."</p>
                {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
                {move || match prefs.get() {
                    None => view! { <p class="loading" aria-busy="true">"Loading…"</p> }.into_any(),
                    Some(p) => NotificationKind::ALL.iter().filter(|k| admin || **k != NotificationKind::WebhookDisabled).map(|kind| {
                        let kind = *kind;
                        view! {
                            <label class="check">
                                <input type="checkbox" name=format!("email-{}", kind.as_str()) prop:checked=p.get(kind)
                                    on:change=move |ev| choose(kind, event_target_checked(&ev)) />
                                {kind.label()}
                            </label>
                        }
                    }).collect_view().into_any(),
                }}
                <Show when=move || saved.get()><p class="muted small">"Saved."</p></Show>
            </fieldset>
        </section>
    }
}

/// The e-mail outbox (admins): what was sent, is waiting, failed, or is held for want of an SMTP
/// server.
#[component]
fn Outbox() -> impl IntoView {
    let emails = RwSignal::new(None::<Result<Vec<OutboxEmail>, String>>);
    leptos::task::spawn_local(async move {
        let page = api().list_emails(&EmailQuery { limit: Some(20), ..Default::default() }).await;
        emails.set(Some(page.map(|p| p.items).map_err(|e| e.to_string())));
    });
    view! {
        <section class="panel" aria-label="E-mail outbox">
            <h2>"E-mail outbox"</h2>
            <p class="muted small">"The latest 20. Held ones wait for an SMTP server (SMTP_URL); failed ones gave up after several tries."</p>
            {move || match emails.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert">{e}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="empty">"No e-mail yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap flat">
                    <table class="outbox">
                        <thead><tr><th>"When"</th><th>"To"</th><th>"Subject"</th><th>"State"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|m| view! {
                                <tr>
                                    <td>{crate::time::date_time(m.created_at)}</td>
                                    <td>{m.to}</td>
                                    <td><details><summary>{m.subject}</summary><pre class="small">{m.body}</pre></details></td>
                                    <td title=m.last_error.unwrap_or_default()>{m.status.as_str()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
