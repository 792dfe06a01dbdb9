use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use petpixel_types::auth::LoginRequest;
use petpixel_types::ValidationErrors;

use crate::session::{api, use_session};

/// The login form's fields, held by the app rather than by the page, so a page made afresh
/// (the router may make it twice as the app starts) keeps what was typed.
#[derive(Clone, Copy)]
pub struct LoginDraft {
    email: RwSignal<String>,
    password: RwSignal<String>,
}

impl LoginDraft {
    pub fn provide() {
        provide_context(LoginDraft { email: RwSignal::new(String::new()), password: RwSignal::new(String::new()) });
    }
}

#[component]
pub fn Login() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let LoginDraft { email, password } = expect_context::<LoginDraft>();
    // Whatever was typed into the page's shell before the app took over; the shell goes once
    // this page stands in its place.
    let typed = crate::shell::typed();
    if !typed.email.is_empty() || !typed.password.is_empty() {
        email.set(typed.email);
        password.set(typed.password);
    }
    Effect::new(|_| crate::shell::hand_over());
    let errors = RwSignal::new(ValidationErrors::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    // Already logged in (a reload on /login): straight to the board.
    let go_home = navigate.clone();
    Effect::new(move |_| {
        if session.me.with(Option::is_some) {
            go_home("/", Default::default());
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = LoginRequest { email: email.get_untracked(), password: password.get_untracked(), refresh_cookie: true };
        failure.set(None);
        // The same checks the server makes, before anything is sent.
        if let Err(e) = request.validate() {
            errors.set(e);
            return;
        }
        errors.set(ValidationErrors::new());
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = api().login(&request).await;
            busy.set(false);
            match result {
                Ok(_) => match api().me().await {
                    Ok(me) => {
                        password.set(String::new());
                        session.me.set(Some(me));
                        navigate("/", Default::default());
                    }
                    Err(e) => failure.set(Some(e.to_string())),
                },
                Err(e) => {
                    if let Some(problem) = e.problem() {
                        errors.set(ValidationErrors(problem.errors.clone()));
                    }
                    failure.set(Some(e.to_string()));
                    password.set(String::new());
                }
            }
        });
    };

    let field_error = move |field: &'static str| {
        move || {
            errors
                .with(|e| e.for_field(field).map(|e| view! { <p class="field-error" id=format!("{field}-error")>{e.message.clone()}</p> }))
        }
    };

    // The same markup as the page's shell (`xtask/src/frontend.rs`), so nothing moves.
    view! {
        <main class="login">
            <form class="card" on:submit=submit novalidate>
                <h1>"PetPixel Studio"</h1>
                <p class="muted">"Log in to the studio."</p>
                <label for="email">"E-mail"</label>
                <input id="email" name="email" type="email" autocomplete="username" autofocus bind:value=email
                    aria-invalid=move || errors.with(|e| e.for_field("email").is_some()).to_string() />
                {field_error("email")}
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" bind:value=password
                    aria-invalid=move || errors.with(|e| e.for_field("password").is_some()).to_string() />
                {field_error("password")}
                {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
        </main>
    }
}
