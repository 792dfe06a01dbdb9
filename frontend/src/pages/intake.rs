//! Order intake: a new project from a customer's order.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use petpixel_types::project::{CreateProject, GameConfigInput};
use petpixel_types::ValidationErrors;

use crate::form::{optional, whole_number, SelectField, TextField};
use crate::session::api;

#[component]
pub fn Intake() -> impl IntoView {
    let navigate = use_navigate();
    let s = || RwSignal::new(String::new());
    let (customer_name, customer_email, customer_phone) = (s(), s(), s());
    let (pet_name, pet_breed, pet_age, pet_personality) = (s(), s(), s(), s());
    let (package_type, deadline, estimated_hours, notes) = (s(), s(), s(), s());
    let priority = RwSignal::new("normal".to_owned());
    let (theme, difficulty, features) = (s(), s(), s());
    let errors = RwSignal::new(ValidationErrors::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        let mut local = ValidationErrors::new();
        let order = CreateProject {
            customer_name: customer_name.get_untracked(),
            customer_email: customer_email.get_untracked(),
            customer_phone: optional(&customer_phone),
            pet_name: pet_name.get_untracked(),
            pet_breed: optional(&pet_breed),
            pet_age: whole_number(&mut local, "pet_age", &pet_age),
            pet_personality: optional(&pet_personality),
            package_type: optional(&package_type).and_then(|v| v.parse().ok()),
            game_config: Some(GameConfigInput {
                theme: theme.get_untracked(),
                difficulty: optional(&difficulty).and_then(|v| v.parse().ok()),
                features: features.get_untracked().split(',').map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned).collect(),
            }),
            priority: optional(&priority).and_then(|v| v.parse().ok()),
            deadline: match optional(&deadline) {
                None => None,
                Some(d) => d.parse().map_err(|_| local.add("deadline", "invalid_value", "Pick a day.")).ok(),
            },
            estimated_hours: whole_number(&mut local, "estimated_hours", &estimated_hours),
            notes: optional(&notes),
        };
        // The server's own checks, run here first: nothing is sent while a field is wrong.
        if let Err(e) = order.validate() {
            local.0.extend(e.0);
        }
        if !local.is_empty() {
            errors.set(local);
            return;
        }
        errors.set(ValidationErrors::new());
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api().create_project(&order).await {
                Ok(project) => navigate(&format!("/projects/{}?created=1", project.id), Default::default()),
                Err(e) => {
                    busy.set(false);
                    if let Some(p) = e.problem() {
                        errors.set(ValidationErrors(p.errors.clone()));
                    }
                    failure.set(Some(e.to_string()));
                }
            }
        });
    };

    view! {
        <main class="page narrow">
            <h1>"New order"</h1>
            <form class="panel form" on:submit=submit novalidate>
                <fieldset>
                    <legend>"Customer"</legend>
                    <TextField label="Name" name="customer_name" value=customer_name errors=errors />
                    <TextField label="E-mail" name="customer_email" value=customer_email errors=errors kind="email" />
                    <TextField label="Phone (optional)" name="customer_phone" value=customer_phone errors=errors kind="tel" />
                </fieldset>
                <fieldset>
                    <legend>"Pet"</legend>
                    <TextField label="Name" name="pet_name" value=pet_name errors=errors />
                    <TextField label="Breed (optional)" name="pet_breed" value=pet_breed errors=errors />
                    <TextField label="Age (optional)" name="pet_age" value=pet_age errors=errors kind="number" hint="0 to 40 years" />
                    <TextField label="Personality (optional)" name="pet_personality" value=pet_personality errors=errors />
                </fieldset>
                <fieldset>
                    <legend>"Order"</legend>
                    <SelectField label="Package" name="package_type" value=package_type errors=errors
                        choices=vec![("", "Choose…"), ("express", "Express"), ("custom", "Custom"), ("premium", "Premium")] />
                    <SelectField label="Priority" name="priority" value=priority errors=errors
                        choices=vec![("low", "Low"), ("normal", "Normal"), ("high", "High"), ("urgent", "Urgent")] />
                    <TextField label="Deadline (optional)" name="deadline" value=deadline errors=errors kind="date" />
                    <TextField label="Estimated hours (optional)" name="estimated_hours" value=estimated_hours errors=errors kind="number" />
                </fieldset>
                <fieldset>
                    <legend>"Game"</legend>
                    <TextField label="Theme" name="game_config.theme" value=theme errors=errors />
                    <SelectField label="Difficulty" name="game_config.difficulty" value=difficulty errors=errors
                        choices=vec![("", "Choose…"), ("easy", "Easy"), ("medium", "Medium"), ("hard", "Hard")] />
                    <TextField label="Features (optional)" name="game_config.features" value=features errors=errors hint="Separated by commas: leaderboard, boss fight" />
                </fieldset>
                <div class="field">
                    <label for="notes">"Notes (optional)"</label>
                    <textarea id="notes" name="notes" rows="3" bind:value=notes></textarea>
                    {crate::form::field_error(errors, "notes")}
                </div>
                {move || failure.get().map(|f| view! { <p class="alert" role="alert">{f}</p> })}
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else { "Create project" }}
                    </button>
                    <a href="/">"Cancel"</a>
                </div>
            </form>
        </main>
    }
}
