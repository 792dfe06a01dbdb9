//! Form pieces shared by the pages: a labelled field with its error, and value helpers.

use leptos::prelude::*;
use petpixel_types::ValidationErrors;

/// The error under one field, if validation (the browser's or the server's) found one.
pub fn field_error(errors: RwSignal<ValidationErrors>, field: &'static str) -> impl IntoView {
    move || {
        errors.with(|e| {
            e.for_field(field)
                .map(|e| view! { <p class="field-error" id=format!("{}-error", field.replace('.', "-"))>{e.message.clone()}</p> })
        })
    }
}

pub fn invalid(errors: RwSignal<ValidationErrors>, field: &'static str) -> impl Fn() -> &'static str {
    move || if errors.with(|e| e.for_field(field).is_some()) { "true" } else { "false" }
}

/// A text input bound to `value`, with its label and error.
#[component]
pub fn TextField(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<ValidationErrors>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <input id=name name=name type=kind bind:value=value aria-invalid=invalid(errors, name) />
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            {field_error(errors, name)}
        </div>
    }
}

/// A `<select>` of fixed choices; the empty choice stands for "not chosen".
#[component]
pub fn SelectField(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<ValidationErrors>,
    choices: Vec<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <select id=name name=name aria-invalid=invalid(errors, name)
                on:change=move |ev| value.set(event_target_value(&ev)) prop:value=move || value.get()>
                {choices.into_iter().map(|(v, text)| view! { <option value=v selected=move || value.get() == v>{text}</option> }).collect_view()}
            </select>
            {field_error(errors, name)}
        </div>
    }
}

/// `None` for a blank input.
pub fn optional(value: &RwSignal<String>) -> Option<String> {
    let v = value.get_untracked();
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// A whole number, or an error recorded under `field` (the types' checks see numbers only).
pub fn whole_number(errors: &mut ValidationErrors, field: &str, value: &RwSignal<String>) -> Option<i64> {
    let raw = optional(value)?;
    match raw.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, "invalid_type", "Must be a whole number.");
            None
        }
    }
}
