//! Choosing an address: proposals made from the pet, or a slug of one's own, checked as it is
//! typed (after a pause, and only the latest answer counts), then reserved.

use std::time::Duration;

use leptos::prelude::*;
use petpixel_types::url::{check_slug_syntax, SlugCheck, SlugOption, SlugProblem};
use uuid::Uuid;

use crate::session::api;

/// How long typing pauses before the slug is checked.
const DEBOUNCE: Duration = Duration::from_millis(300);

fn reason_text(reason: SlugProblem) -> &'static str {
    match reason {
        SlugProblem::Taken => "taken",
        SlugProblem::Reserved => "reserved",
        SlugProblem::Blocked => "not allowed",
        SlugProblem::Invalid => "not valid",
    }
}

#[component]
pub fn Reserve(project_id: Uuid, can_manage: bool, on_reserved: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let proposals = RwSignal::new(None::<Result<Vec<SlugOption>, String>>);
    let slug = RwSignal::new(String::new());
    let check = RwSignal::new(None::<SlugCheck>);
    let checking = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let alternatives = RwSignal::new(Vec::<String>::new());
    let sending = RwSignal::new(false);
    // Every keystroke bumps it; an answer for an older one is dropped.
    let typed = StoredValue::new(0u64);

    leptos::task::spawn_local(async move {
        let result = api().generate_urls(project_id).await.map(|p| p.options).map_err(|e| e.to_string());
        if let Ok(list) = &result {
            if let Some(first) = list.iter().find(|o| o.available) {
                if slug.get_untracked().is_empty() {
                    slug.set(first.slug.clone());
                    check.set(Some(SlugCheck {
                        slug: first.slug.clone(),
                        available: true,
                        reason: None,
                        message: None,
                        alternatives: vec![],
                    }));
                }
            }
        }
        proposals.set(Some(result));
    });

    let check_now = move |value: String| {
        typed.update_value(|n| *n += 1);
        let ticket = typed.get_value();
        failure.set(None);
        alternatives.set(Vec::new());
        if let Err(message) = check_slug_syntax(&value) {
            checking.set(false);
            check.set(Some(SlugCheck {
                slug: value,
                available: false,
                reason: Some(SlugProblem::Invalid),
                message: Some(message),
                alternatives: vec![],
            }));
            return;
        }
        checking.set(true);
        set_timeout(
            move || {
                if typed.try_get_value() != Some(ticket) {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let answer = api().check_url(&value).await;
                    if typed.try_get_value() != Some(ticket) {
                        return;
                    }
                    checking.set(false);
                    match answer {
                        Ok(c) => check.set(Some(c)),
                        Err(e) => failure.set(Some(e.to_string())),
                    }
                });
            },
            DEBOUNCE,
        );
    };
    let pick = move |value: String| {
        slug.set(value.clone());
        check_now(value);
    };
    let reserve = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = slug.get_untracked();
        sending.set(true);
        leptos::task::spawn_local(async move {
            match api().reserve_url(project_id, &value).await {
                Ok(_) => on_reserved(),
                Err(e) => {
                    if let Some(alts) = e.problem().and_then(|p| p.alternatives.clone()) {
                        alternatives.set(alts);
                    }
                    let message = e.problem().and_then(|p| p.errors.first().map(|f| f.message.clone())).unwrap_or_else(|| e.to_string());
                    failure.set(Some(message));
                }
            }
            sending.set(false);
        });
    };
    let ok = move || check.with(|c| c.as_ref().is_some_and(|c| c.available && c.slug == slug.get()));

    view! {
        <p class="small muted">"Every game gets its own address. Pick one of these, or type your own."</p>
        {move || match proposals.get() {
            None => view! { <p class="loading" aria-busy="true">"Thinking of names…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="alert" role="alert">{e}</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="proposals" aria-label="Proposed addresses">
                    {list.into_iter().map(|o| {
                        let value = o.slug.clone();
                        view! {
                            <li>
                                <button class="chip" class:unavailable=!o.available disabled=!o.available
                                    aria-pressed=move || (slug.get() == value).to_string()
                                    on:click={let v = o.slug.clone(); move |_| pick(v.clone())}>
                                    <span class="slug">{o.slug.clone()}</span>
                                    {o.reason.map(|r| view! { <span class="small muted">" · "{reason_text(r)}</span> })}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
        <form class="reserve" on:submit=reserve>
            <label for="slug">"Or your own"</label>
            <div class="slug-field">
                <span class="muted">"/g/"</span>
                <input id="slug" name="slug" autocomplete="off" spellcheck="false" maxlength="60" data-testid="slug"
                    prop:value=move || slug.get()
                    on:input=move |ev| {
                        let value = event_target_value(&ev).trim().to_lowercase();
                        slug.set(value.clone());
                        check_now(value);
                    }
                    aria-describedby="slug-status" />
            </div>
            <p id="slug-status" class="small" aria-live="polite">
                {move || if checking.get() {
                    view! { <span class="muted">"Checking…"</span> }.into_any()
                } else {
                    match check.get().filter(|c| c.slug == slug.get()) {
                        Some(c) if c.available => view! { <span class="ok">"Available"</span> }.into_any(),
                        Some(c) => {
                            let alts = c.alternatives.clone();
                            view! {
                                <span class="failed-reason">{c.message.clone().unwrap_or_else(|| "Not available.".into())}</span>
                                {(!alts.is_empty()).then(|| view! {
                                    " Try: "{alts.into_iter().map(|a| view! {
                                        <button type="button" class="chip" on:click={let v = a.clone(); move |_| pick(v.clone())}>{a.clone()}</button>
                                    }).collect_view()}
                                })}
                            }.into_any()
                        }
                        None => ().into_any(),
                    }
                }}
            </p>
            {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
            {move || (!alternatives.with(Vec::is_empty)).then(|| view! {
                <p class="small">"Available instead: "{alternatives.get().into_iter().map(|a| view! {
                    <button type="button" class="chip" on:click={let v = a.clone(); move |_| pick(v.clone())}>{a.clone()}</button>
                }).collect_view()}</p>
            })}
            {if can_manage {
                view! {
                    <button class="primary" type="submit" data-testid="reserve" disabled=move || sending.get() || !ok()>
                        {move || if sending.get() { "Reserving…" } else { "Reserve" }}
                    </button>
                }.into_any()
            } else {
                view! { <p class="muted small">"Addresses are reserved by a manager or an admin."</p> }.into_any()
            }}
        </form>
    }
}
