//! The parameters form, drawn from the template's manifest: each field starts at the value of the
//! project's difficulty preset (or the default) and is sent only when changed.

use std::collections::BTreeMap;

use leptos::prelude::*;
use petpixel_types::project::{Difficulty, PackageType};
use petpixel_types::template::{Param, ParamSpec, ParamValue, Template};
use petpixel_types::ValidationErrors;
use serde_json::Value;

fn shown(value: &ParamValue) -> String {
    match value {
        ParamValue::Flag(b) => b.to_string(),
        ParamValue::Integer(n) => n.to_string(),
        ParamValue::Float(x) => x.to_string(),
        ParamValue::Text(s) => s.clone(),
    }
}

#[component]
pub fn ParamsForm(
    template: Template,
    package: PackageType,
    difficulty: Difficulty,
    params: RwSignal<BTreeMap<String, Value>>,
    errors: RwSignal<ValidationErrors>,
) -> impl IntoView {
    let preset = template.presets.iter().find(|p| p.difficulty == difficulty).cloned();
    let fields = template.params.clone().into_iter().map(|param| {
        let start = preset.as_ref().and_then(|p| p.values.get(&param.key).cloned()).unwrap_or_else(|| param.spec.default());
        let allowed = !matches!(param.spec, ParamSpec::Flag { .. }) || template.package_allows(package, &param.key);
        view! { <ParamField param=param start=start allowed=allowed params=params errors=errors /> }
    });
    view! {
        <div class="params">
            <p class="small muted">
                {format!("Starting from the {} preset.", difficulty.as_str())}
                " "
                <button class="link small" on:click=move |_| params.set(BTreeMap::new()) disabled=move || params.with(BTreeMap::is_empty)>"Reset"</button>
            </p>
            {fields.collect_view()}
        </div>
    }
}

#[component]
fn ParamField(
    param: Param,
    start: ParamValue,
    allowed: bool,
    params: RwSignal<BTreeMap<String, Value>>,
    errors: RwSignal<ValidationErrors>,
) -> impl IntoView {
    let key = param.key.clone();
    let field = format!("params.{key}");
    let current = {
        let (key, start) = (key.clone(), start.clone());
        move || params.with(|p| p.get(&key).map(|v| v.to_string().trim_matches('"').to_owned())).unwrap_or_else(|| shown(&start))
    };
    // What the field holds, as the value to send; a value not of the kind is the server's to
    // refuse, with the message the form shows.
    let set = {
        let (key, spec, start) = (key.clone(), param.spec.clone(), start.clone());
        move |raw: String| {
            let value = match &spec {
                ParamSpec::Integer { .. } => raw.parse::<i64>().map(Value::from).unwrap_or(Value::String(raw.clone())),
                ParamSpec::Float { .. } => raw.parse::<f64>().map(Value::from).unwrap_or(Value::String(raw.clone())),
                ParamSpec::Flag { .. } => Value::Bool(raw == "true"),
                _ => Value::String(raw.clone()),
            };
            let unchanged = spec.check(&value).is_ok_and(|v| v == start);
            params.update(|p| {
                if unchanged {
                    p.remove(&key);
                } else {
                    p.insert(key.clone(), value.clone());
                }
            });
            let message = spec.check(&value).err();
            errors.update(|e| {
                let mut next = ValidationErrors::new();
                for f in e.iter().filter(|f| f.field != format!("params.{key}")) {
                    next.add(&f.field, &f.code, f.message.clone());
                }
                if let Some(m) = message {
                    next.add(&format!("params.{key}"), "invalid", m);
                }
                *e = next;
            });
        }
    };
    let error = {
        let field = field.clone();
        move || errors.with(|e| e.for_field(&field).map(|f| f.message.clone()))
    };
    let label = param.label.clone();
    let input = match &param.spec {
        ParamSpec::Integer { min, max, .. } => {
            view! { <input type="number" step="1" min=*min max=*max prop:value=current on:change=move |ev| set(event_target_value(&ev)) /> }.into_any()
        }
        ParamSpec::Float { min, max, .. } => {
            view! { <input type="number" step="0.1" min=*min max=*max prop:value=current on:change=move |ev| set(event_target_value(&ev)) /> }.into_any()
        }
        ParamSpec::Choice { options, .. } => {
            let options = options.clone();
            view! {
                <select on:change=move |ev| set(event_target_value(&ev))>
                    {options.into_iter().map(|o| {
                        let selected = { let (o, current) = (o.clone(), current.clone()); move || current() == o };
                        view! { <option value=o.clone() selected=selected>{o.clone()}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        ParamSpec::Colour { .. } => view! { <input type="color" prop:value=current on:change=move |ev| set(event_target_value(&ev)) /> }.into_any(),
        ParamSpec::Flag { .. } => view! {
            <input type="checkbox" disabled=!allowed prop:checked=move || current() == "true"
                on:change=move |ev| set(event_target_checked(&ev).to_string()) />
        }
        .into_any(),
    };
    view! {
        <label class="param" data-param=key.clone()>
            <span>{label}{(!allowed).then_some(" (premium package)")}</span>
            {input}
            {move || error().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
        </label>
    }
}
