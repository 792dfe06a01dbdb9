//! Integrations (admins): the outgoing webhooks that tell the shop when something changes. Each
//! endpoint's secret is shown once, when it is added or rotated; its delivery log shows every try
//! and lets a delivery be sent again.

use leptos::prelude::*;
use petpixel_client::ClientError;
use petpixel_types::webhook::{
    CreateWebhookEndpoint, DeliveryAttempt, DeliveryQuery, DeliveryStatus, UpdateWebhookEndpoint, WebhookDelivery, WebhookEndpoint,
    WebhookEventType,
};
use petpixel_types::ValidationErrors;
use uuid::Uuid;

use crate::form::{field_error, optional, TextField};
use crate::session::{api, use_session};
use crate::time::date_time;

type Loaded<T> = Option<Result<T, String>>;

/// A secret to copy now: what it is for, the `whsec_...` itself, and a note after it.
#[derive(Clone)]
struct Shown {
    title: String,
    secret: String,
    note: Option<String>,
}

/// What the page tells after an action (`ok`), or what went wrong.
#[derive(Clone, Copy)]
struct Messages {
    notice: RwSignal<Option<String>>,
    failure: RwSignal<Option<String>>,
}

impl Messages {
    fn ok(&self, text: String) {
        self.failure.set(None);
        self.notice.set(Some(text));
    }
    fn fail(&self, e: impl ToString) {
        self.notice.set(None);
        self.failure.set(Some(e.to_string()));
    }
}

#[component]
pub fn Integrations() -> impl IntoView {
    if !use_session().is_admin() {
        return view! {
            <main class="page narrow">
                <h1>"Integrations"</h1>
                <p class="panel muted">"Only admins manage integrations. Ask an admin if the shop should hear about something new."</p>
            </main>
        }
        .into_any();
    }
    let endpoints = RwSignal::new(None::<Result<Vec<WebhookEndpoint>, String>>);
    let shown = RwSignal::new(None::<Shown>);
    let msg = Messages { notice: RwSignal::new(None), failure: RwSignal::new(None) };
    // The endpoint whose delivery log is open, and a count that makes the log load again.
    let log_of = RwSignal::new(None::<(Uuid, String)>);
    let log_id = Memo::new(move |_| log_of.with(|l| l.as_ref().map(|(id, _)| *id)));
    let log_tick = RwSignal::new(0u32);
    let load =
        move || leptos::task::spawn_local(async move { endpoints.set(Some(api().list_webhooks().await.map_err(|e| e.to_string()))) });
    load();

    let on_created = move |s: Shown| {
        shown.set(Some(s));
        msg.failure.set(None);
        msg.notice.set(None);
        load();
    };
    let actions = Actions { msg, shown, log_of, log_tick, load };

    view! {
        <main class="page integrations">
            <h1>"Integrations"</h1>
            <p class="muted">
                "Webhooks tell other systems, such as the shop, when something changes here: each event is POSTed as JSON, signed with the endpoint's secret (Standard Webhooks), and tried again for up to 3 days while the endpoint fails."
            </p>
            {move || shown.get().map(|s| view! { <SecretBox shown=s on_done=move || shown.set(None) /> })}
            {move || msg.notice.get().map(|n| view! { <p class="notice" aria-live="polite">{n}</p> })}
            {move || msg.failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            <section class="panel" aria-labelledby="endpoints-heading">
                <h2 id="endpoints-heading">"Endpoints"</h2>
                {move || match endpoints.get() {
                    None => view! { <p class="loading" aria-busy="true">"Loading endpoints…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="alert">{e}</p> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => {
                        view! { <p class="empty muted">"No endpoints yet: add one to tell the shop when something changes."</p> }.into_any()
                    }
                    Some(Ok(list)) => view! {
                        <ul class="endpoints">
                            {list.into_iter().map(|e| view! { <Endpoint endpoint=e actions=actions log_id=log_id /> }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </section>
            {move || log_id.get().map(|id| {
                let url = log_of.with_untracked(|l| l.as_ref().map(|(_, u)| u.clone()).unwrap_or_default());
                view! { <DeliveryLog id=id url=url tick=log_tick msg=msg on_close=move || log_of.set(None) /> }
            })}
            <AddEndpoint on_created=on_created />
        </main>
    }
    .into_any()
}

/// What an endpoint's buttons reach on the page.
#[derive(Clone, Copy)]
struct Actions<L: Fn() + Copy + Send + Sync + 'static> {
    msg: Messages,
    shown: RwSignal<Option<Shown>>,
    log_of: RwSignal<Option<(Uuid, String)>>,
    log_tick: RwSignal<u32>,
    load: L,
}

fn confirmed(question: &str) -> bool {
    window().confirm_with_message(question).unwrap_or(false)
}

/// Runs a call with the endpoint's buttons held, then says how it went and reloads the list.
fn act<L: Fn() + Copy + Send + Sync + 'static>(
    busy: RwSignal<bool>,
    msg: Messages,
    load: L,
    call: impl std::future::Future<Output = Result<String, ClientError>> + 'static,
) {
    busy.set(true);
    leptos::task::spawn_local(async move {
        match call.await {
            Ok(done) => {
                msg.ok(done);
                load();
            }
            Err(e) => msg.fail(e),
        }
        let _ = busy.try_set(false);
    });
}

#[component]
fn Endpoint<L: Fn() + Copy + Send + Sync + 'static>(
    endpoint: WebhookEndpoint,
    actions: Actions<L>,
    log_id: Memo<Option<Uuid>>,
) -> impl IntoView {
    let Actions { msg, shown, log_of, log_tick, load } = actions;
    let WebhookEndpoint { id, url, enabled, .. } = endpoint.clone();
    let busy = RwSignal::new(false);
    let name = url.clone();
    let switch = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            let changes = UpdateWebhookEndpoint { enabled: Some(!enabled), ..Default::default() };
            act(busy, msg, load, async move {
                api().update_webhook(id, &changes).await?;
                Ok(format!("{name} is switched {}.", if enabled { "off" } else { "on" }))
            });
        }
    };
    let test = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                match api().test_webhook(id).await {
                    Ok(_) => {
                        msg.ok(format!("A test message is on its way to {name}: see the delivery log."));
                        if log_of.with_untracked(|l| l.as_ref().map(|(i, _)| *i)) != Some(id) {
                            log_of.set(Some((id, name)));
                        }
                        log_tick.update(|t| *t += 1);
                    }
                    Err(e) => msg.fail(e),
                }
                let _ = busy.try_set(false);
            });
        }
    };
    let rotate = {
        let name = name.clone();
        move |_| {
            let question = format!(
                "Rotate the secret of {name}? The old secret keeps working for 24 hours beside the new one, so the receiver can be updated meanwhile."
            );
            if !confirmed(&question) {
                return;
            }
            let name = name.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                match api().rotate_webhook_secret(id).await {
                    Ok(r) => {
                        msg.notice.set(None);
                        msg.failure.set(None);
                        shown.set(Some(Shown {
                            title: format!("The new secret of {name}"),
                            secret: r.secret,
                            note: Some(format!(
                                "The old secret keeps signing beside it until {}.",
                                date_time(r.previous_secret_expires_at)
                            )),
                        }));
                        load();
                    }
                    Err(e) => msg.fail(e),
                }
                let _ = busy.try_set(false);
            });
        }
    };
    let delete = {
        let name = name.clone();
        move |_| {
            if !confirmed(&format!("Delete the endpoint {name}? It gets nothing more, and its delivery log goes with it.")) {
                return;
            }
            if log_id.get_untracked() == Some(id) {
                log_of.set(None);
            }
            let name = name.clone();
            act(busy, msg, load, async move {
                api().delete_webhook(id).await?;
                Ok(format!("{name} is deleted."))
            });
        }
    };
    let toggle_log = {
        let name = name.clone();
        move |_| {
            if log_id.get_untracked() == Some(id) {
                log_of.set(None);
            } else {
                log_of.set(Some((id, name.clone())));
            }
        }
    };
    let editing = RwSignal::new(false);
    let edited = move |saved: Option<String>| {
        editing.set(false);
        if let Some(done) = saved {
            msg.ok(done);
            load();
        }
    };
    let types = endpoint.event_types.iter().map(|t| view! { <code class="tag">{t.as_str()}</code> }).collect_view();
    let label = |what: &str| format!("{what} {url}");
    let editor = endpoint.clone();
    view! {
        <li class="endpoint" class:off=!enabled>
            <div class="endpoint-head">
                <strong class="endpoint-url">{url.clone()}</strong>
                <span class="badge" class:active=enabled>{if enabled { "On" } else { "Off" }}</span>
            </div>
            {endpoint.description.clone().map(|d| view! { <p class="small">{d}</p> })}
            <p class="small">{types}</p>
            {endpoint.disabled_reason.clone().map(|r| view! { <p class="alert small">"Switched off by the server: "{r}</p> })}
            {endpoint.failing_since.map(|t| view! {
                <p class="warning small">"Failing since "{date_time(t)}": deliveries are retried, and the endpoint is switched off after 3 days without a success."</p>
            })}
            {endpoint.previous_secret_expires_at.map(|t| view! {
                <p class="muted small">"The previous secret also signs until "{date_time(t)}"."</p>
            })}
            <div class="actions">
                <button class="secondary" disabled=move || busy.get() on:click=switch aria-label=label(if enabled { "Switch off" } else { "Switch on" })>
                    {if enabled { "Switch off" } else { "Switch on" }}
                </button>
                <button class="secondary" disabled=move || busy.get() on:click=test aria-label=label("Send test to")>"Send test"</button>
                <button class="secondary" aria-expanded=move || if log_id.get() == Some(id) { "true" } else { "false" }
                    aria-label=label("Delivery log of") on:click=toggle_log>"Delivery log"</button>
                <button class="secondary" disabled=move || busy.get() aria-expanded=move || if editing.get() { "true" } else { "false" }
                    aria-label=label("Edit") on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                <button class="link" disabled=move || busy.get() on:click=rotate aria-label=label("Rotate secret of")>"Rotate secret"</button>
                <button class="link danger" disabled=move || busy.get() on:click=delete aria-label=label("Delete")>"Delete"</button>
            </div>
            <Show when=move || editing.get()>
                <EditEndpoint endpoint=editor.clone() on_done=edited />
            </Show>
        </li>
    }
}

/// A secret shown this once, with a button that copies it.
#[component]
fn SecretBox(shown: Shown, on_done: impl Fn() + Copy + 'static) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let secret = shown.secret.clone();
    let copy = move |_| {
        let promise = window().navigator().clipboard().write_text(&secret);
        leptos::task::spawn_local(async move {
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            let _ = copied.try_set(Some(ok));
        });
    };
    // Focus moves to it, so that a keyboard or screen reader user lands on what to copy.
    let node = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            let _ = el.focus();
        }
    });
    view! {
        <div class="secret" data-testid="webhook-secret" aria-live="polite" tabindex="-1" node_ref=node>
            <p><strong>{shown.title}</strong>": copy it now, it will not be shown again. Receivers check each delivery's signature with it."</p>
            <code class="token-secret">{shown.secret.clone()}</code>
            {shown.note.map(|n| view! { <p class="small">{n}</p> })}
            <div class="actions">
                <button class="secondary" on:click=copy>"Copy"</button>
                {move || copied.get().map(|ok| view! {
                    <span class="small">{if ok { "Copied." } else { "The browser did not let us copy: select the secret and copy it." }}</span>
                })}
                <button class="link" on:click=move |_| on_done()>"Done"</button>
            </div>
        </div>
    }
}

fn describe(t: WebhookEventType) -> &'static str {
    match t {
        WebhookEventType::ProjectCreated => "A project is created",
        WebhookEventType::ProjectUpdated => "A project's details change",
        WebhookEventType::ProjectStatusChanged => "A project moves on the board",
        WebhookEventType::AssetProcessed => "An asset is processed",
        WebhookEventType::BuildReady => "A build is ready",
        WebhookEventType::BuildFailed => "A build fails",
        WebhookEventType::UrlReserved => "A game address is reserved",
        WebhookEventType::UrlDeployed => "A game address goes live",
        WebhookEventType::UrlExpired => "A reservation runs out",
        WebhookEventType::WebhookTest => "A test",
    }
}

#[component]
fn AddEndpoint(on_created: impl Fn(Shown) + Copy + 'static) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<WebhookEventType>::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = CreateWebhookEndpoint {
            url: url.get_untracked().trim().to_owned(),
            description: optional(&description),
            event_types: chosen.get_untracked(),
            enabled: None,
        };
        if let Err(e) = request.validate() {
            errors.set(e);
            failure.set(None);
            return;
        }
        errors.set(ValidationErrors::new());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api().create_webhook(&request).await {
                Ok(created) => {
                    failure.set(None);
                    url.set(String::new());
                    description.set(String::new());
                    chosen.set(vec![]);
                    on_created(Shown { title: format!("The secret of {}", created.endpoint.url), secret: created.secret, note: None });
                }
                Err(e) => {
                    // Errors of the form's fields show by them (a private address by the URL);
                    // anything else above the button.
                    let (found, other) = split_problem(&e, &["url", "description", "event_types"]);
                    errors.set(found);
                    failure.set(other);
                }
            }
            busy.set(false);
        });
    };
    view! {
        <form class="panel form" on:submit=submit novalidate aria-label="Add endpoint">
            <fieldset>
                <legend>"Add an endpoint"</legend>
                <TextField label="URL" name="url" value=url errors=errors kind="url" hint="An https:// address that accepts POST requests." />
                <TextField label="Description (optional)" name="description" value=description errors=errors />
            </fieldset>
            <fieldset class="scopes" aria-describedby=move || errors.with(|e| e.for_field("event_types").is_some()).then_some("event_types-error")>
                <legend>"Send when…"</legend>
                {WebhookEventType::subscribable().map(|t| view! {
                    <label class="check">
                        <input type="checkbox" name=format!("event-{}", t.as_str()) prop:checked=move || chosen.with(|c| c.contains(&t))
                            on:change=move |_| chosen.update(|c| if let Some(i) = c.iter().position(|x| *x == t) { c.remove(i); } else { c.push(t); }) />
                        {describe(t)}" "<code class="small muted">{t.as_str()}</code>
                    </label>
                }).collect_view()}
                {field_error(errors, "event_types")}
            </fieldset>
            {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            <button type="submit" class="primary" disabled=move || busy.get()>"Add endpoint"</button>
        </form>
    }
}

/// A server problem's field errors go by their fields; anything else is a sentence for the form.
fn split_problem(e: &ClientError, fields: &[&str]) -> (ValidationErrors, Option<String>) {
    let found = e.problem().map(|p| ValidationErrors(p.errors.clone())).unwrap_or_default();
    let by_fields = fields.iter().any(|f| found.for_field(f).is_some());
    (found, (!by_fields).then(|| e.to_string()))
}

/// Changing an endpoint's address, description and event types, in place. Its inputs have ids of
/// their own: the add form's stay on the page.
#[component]
fn EditEndpoint(endpoint: WebhookEndpoint, on_done: impl Fn(Option<String>) + Copy + 'static) -> impl IntoView {
    let id = endpoint.id;
    let url = RwSignal::new(endpoint.url.clone());
    let description = RwSignal::new(endpoint.description.clone().unwrap_or_default());
    let chosen = RwSignal::new(endpoint.event_types.clone());
    let errors = RwSignal::new(ValidationErrors::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let changes = UpdateWebhookEndpoint {
            url: Some(url.get_untracked().trim().to_owned()),
            // Empty clears it.
            description: Some(description.get_untracked().trim().to_owned()),
            event_types: Some(chosen.get_untracked()),
            enabled: None,
        };
        if let Err(e) = changes.validate() {
            errors.set(e);
            failure.set(None);
            return;
        }
        errors.set(ValidationErrors::new());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api().update_webhook(id, &changes).await {
                Ok(saved) => on_done(Some(format!("{} is saved.", saved.url))),
                Err(e) => {
                    let (found, other) = split_problem(&e, &["url", "description", "event_types"]);
                    errors.set(found);
                    failure.set(other);
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let error = move |field: &'static str| {
        move || errors.with(|e| e.for_field(field).map(|f| view! { <p class="field-error">{f.message.clone()}</p> }))
    };
    let field_id = |name: &str| format!("edit-{name}-{id}");
    view! {
        <form class="form edit-endpoint" on:submit=submit novalidate aria-label=format!("Edit {}", endpoint.url)>
            <div class="field">
                <label for=field_id("url")>"URL"</label>
                <input id=field_id("url") name="edit-url" type="url" bind:value=url aria-invalid=crate::form::invalid(errors, "url") />
                {error("url")}
            </div>
            <div class="field">
                <label for=field_id("description")>"Description (optional)"</label>
                <input id=field_id("description") name="edit-description" type="text" bind:value=description
                    aria-invalid=crate::form::invalid(errors, "description") />
                {error("description")}
            </div>
            <fieldset class="scopes">
                <legend>"Send when…"</legend>
                {WebhookEventType::subscribable().map(|t| view! {
                    <label class="check">
                        <input type="checkbox" name=format!("edit-event-{}", t.as_str()) prop:checked=move || chosen.with(|c| c.contains(&t))
                            on:change=move |_| chosen.update(|c| if let Some(i) = c.iter().position(|x| *x == t) { c.remove(i); } else { c.push(t); }) />
                        {describe(t)}
                    </label>
                }).collect_view()}
                {error("event_types")}
            </fieldset>
            {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || busy.get()>"Save"</button>
                <button type="button" class="link" on:click=move |_| on_done(None)>"Cancel"</button>
            </div>
        </form>
    }
}

/// "just now", "5 min ago", "3 h ago", or the date and time.
fn ago(t: chrono::DateTime<chrono::Utc>) -> String {
    let secs = (js_sys::Date::now() as i64 - t.timestamp_millis()) / 1000;
    match secs {
        ..60 => "just now".into(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        _ => date_time(t),
    }
}

fn answer(t: &DeliveryAttempt) -> String {
    match (t.status_code, &t.error) {
        (Some(code), _) => format!("HTTP {code}"),
        (None, Some(e)) => e.clone(),
        (None, None) => "No answer".into(),
    }
}

/// How often the log looks again by itself, every 2 s, while a delivery is about to be tried.
const POLLS: u32 = 20;

/// A delivery log's state: what it shows, and which load is the latest.
#[derive(Clone, Copy)]
struct Log {
    id: Uuid,
    deliveries: RwSignal<Loaded<Vec<WebhookDelivery>>>,
    status: RwSignal<String>,
    generation: RwSignal<u32>,
    polls: RwSignal<u32>,
    loading: RwSignal<bool>,
}

impl Log {
    /// Loads the deliveries; while one waits for a try within 30 s, looks again in 2 s (at most
    /// [`POLLS`] times after the user's last reload).
    fn load(self) {
        let Some(mine) = self.generation.try_update(|g| {
            *g += 1;
            *g
        }) else {
            return; // closed
        };
        let query = DeliveryQuery { status: self.status.get_untracked().parse().ok(), limit: Some(50), ..Default::default() };
        self.loading.set(true);
        leptos::task::spawn_local(async move {
            let answer = api().list_webhook_deliveries(self.id, &query).await.map(|p| p.items).map_err(|e| e.to_string());
            // Closed, or loaded again meanwhile.
            if self.generation.try_get_untracked() != Some(mine) {
                return;
            }
            let soon = js_sys::Date::now() as i64 + 30_000;
            let waiting = answer.as_ref().is_ok_and(|list| {
                list.iter().any(|d| d.status == DeliveryStatus::Pending && d.next_attempt_at.is_none_or(|t| t.timestamp_millis() <= soon))
            });
            self.deliveries.set(Some(answer));
            self.loading.set(false);
            if waiting && self.polls.get_untracked() < POLLS {
                self.polls.update(|p| *p += 1);
                set_timeout(
                    move || {
                        if self.generation.try_get_untracked() == Some(mine) {
                            self.load();
                        }
                    },
                    std::time::Duration::from_secs(2),
                );
            }
        });
    }
}

/// An endpoint's deliveries, newest first, each with its tries.
#[component]
fn DeliveryLog(id: Uuid, url: String, tick: RwSignal<u32>, msg: Messages, on_close: impl Fn() + Copy + 'static) -> impl IntoView {
    let log = Log {
        id,
        deliveries: RwSignal::new(None),
        status: RwSignal::new(String::new()),
        generation: RwSignal::new(0),
        polls: RwSignal::new(0),
        loading: RwSignal::new(false),
    };
    let Log { deliveries, status, loading, .. } = log;
    // The filter, a Refresh or the page (after a test) loads it again.
    Effect::new(move |_| {
        status.track();
        tick.track();
        log.polls.set(0);
        log.load();
    });
    let resend = move |delivery: Uuid| {
        leptos::task::spawn_local(async move {
            match api().resend_webhook_delivery(id, delivery).await {
                Ok(_) => {
                    msg.ok("Sent again, under the same message id: it is at the top of the log.".into());
                    tick.update(|t| *t += 1);
                }
                Err(e) => msg.fail(e),
            }
        });
    };
    view! {
        <section class="panel delivery-log" aria-labelledby="log-heading">
            <div class="page-head">
                <h2 id="log-heading">"Delivery log of "{url.clone()}</h2>
                <button class="link" on:click=move |_| on_close()>"Close"</button>
            </div>
            <div class="filters">
                <div class="filter">
                    <label for="log-status">"Status"</label>
                    <select id="log-status" on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="" selected=move || status.with(String::is_empty)>"Any"</option>
                        {DeliveryStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || status.with(|v| v == s.as_str())>{s.as_str()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button class="secondary" on:click=move |_| tick.update(|t| *t += 1) disabled=move || loading.get()>"Refresh"</button>
            </div>
            {move || match deliveries.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading deliveries…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert">{e}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    let text = status.with_untracked(|s| if s.is_empty() { "No deliveries yet.".to_owned() } else { format!("No {s} deliveries.") });
                    view! { <p class="empty muted">{text}</p> }.into_any()
                }
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="outbox deliveries" aria-label="Delivery log">
                            <caption class="muted small">"Newest first"</caption>
                            <thead><tr><th>"Created"</th><th>"Event"</th><th>"Message id"</th><th>"Status"</th><th>"Attempts"</th><th>"Tries"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|d| view! { <DeliveryRow delivery=d resend=resend /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DeliveryRow(delivery: WebhookDelivery, resend: impl Fn(Uuid) + Copy + 'static) -> impl IntoView {
    let d = delivery;
    let id = d.id;
    let last = d.tries.first().map(|t| format!("{} · {} ms", answer(t), t.duration_ms));
    let next = (d.status == DeliveryStatus::Pending).then_some(d.next_attempt_at).flatten().map(|t| format!("Next try {}", date_time(t)));
    let tries = d
        .tries
        .iter()
        .map(|t| {
            view! {
                <li>
                    <span title=date_time(t.at)>{ago(t.at)}</span>" · "{answer(t)}" · "{t.duration_ms}" ms"
                    {t.response_body.clone().filter(|b| !b.is_empty()).map(|b| view! { <pre class="small">{b}</pre> })}
                    {t.error.clone().filter(|_| t.status_code.is_some()).map(|e| view! { <p class="small">{e}</p> })}
                </li>
            }
        })
        .collect_view();
    let count = d.tries.len();
    view! {
        <tr data-status=d.status.as_str()>
            <td title=date_time(d.created_at)>{ago(d.created_at)}</td>
            <td><code>{d.event_type.as_str()}</code></td>
            <td><code class="small">{d.message_id.clone()}</code></td>
            <td><span class="badge" class:active=d.status == DeliveryStatus::Delivered class:failed=d.status == DeliveryStatus::Failed>{d.status.as_str()}</span></td>
            <td>{d.attempts}</td>
            <td class="tries-cell">
                {last.map(|l| view! { <span class="last-try">{l}</span> })}
                {next.map(|n| view! { <span class="muted small">" "{n}</span> })}
                {(count > 0).then(|| view! {
                    <details>
                        <summary>{if count == 1 { "1 try".to_owned() } else { format!("{count} tries") }}</summary>
                        <ol class="tries">{tries}</ol>
                    </details>
                })}
            </td>
            <td><button class="link" on:click=move |_| resend(id) aria-label=format!("Resend {}", d.message_id)>"Resend"</button></td>
        </tr>
    }
}
