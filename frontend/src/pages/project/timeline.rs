//! A project's history in words: who did what, when, from where, and for changes each field's
//! old and new value ("Status: Backlog → In progress").

use leptos::prelude::*;
use petpixel_types::activity::ActivityEntry;
use petpixel_types::project::ProjectStatus;
use petpixel_types::user::{User, UserSummary};
use serde_json::Value;

/// Longer values (notes, personality) are cut to this many characters.
const SHOWN_CHARS: usize = 60;

fn field_label(field: &str) -> &str {
    match field {
        "customer_name" => "Customer",
        "customer_email" => "E-mail",
        "customer_phone" => "Phone",
        "pet_name" => "Pet",
        "pet_breed" => "Breed",
        "pet_age" => "Age",
        "pet_personality" => "Personality",
        "package_type" => "Package",
        "priority" => "Priority",
        "deadline" => "Deadline",
        "estimated_hours" => "Estimated hours",
        "actual_hours" => "Hours spent",
        "game_config" => "Game",
        "notes" => "Notes",
        "status" => "Status",
        "assigned_artist_id" => "Artist",
        "completed_at" => "Completed",
        other => other,
    }
}

/// Names for the people a history can mention: the team list (for managers), and whoever the
/// project is assigned to now.
struct People<'a> {
    team: &'a [User],
    assignee: Option<&'a UserSummary>,
}

impl People<'_> {
    fn name(&self, id: &str) -> String {
        let from_team = self.team.iter().find(|u| u.id.to_string() == id).map(|u| u.display_name.clone());
        let current = self.assignee.filter(|a| a.id.to_string() == id).map(|a| a.display_name.clone());
        from_team.or(current).unwrap_or_else(|| "another member".into())
    }
}

fn shown(field: &str, value: &Value, people: &People) -> String {
    match value {
        Value::Null if field == "assigned_artist_id" => "Unassigned".into(),
        Value::Null => "—".into(),
        Value::String(s) if field == "status" => s.parse::<ProjectStatus>().map(|st| st.label().to_owned()).unwrap_or_else(|_| s.clone()),
        Value::String(s) if field == "assigned_artist_id" => people.name(s),
        Value::String(s) if field.ends_with("_at") => s.parse().map(crate::time::date_time).unwrap_or_else(|_| s.clone()),
        Value::String(s) if field == "deadline" => s.parse().map(crate::time::long_date).unwrap_or_else(|_| s.clone()),
        Value::String(s) if s.chars().count() > SHOWN_CHARS => format!("{}…", s.chars().take(SHOWN_CHARS).collect::<String>()),
        Value::String(s) => s.clone(),
        Value::Object(game) if field == "game_config" => {
            let text = |k: &str| game.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            format!("{} ({})", text("theme"), text("difficulty"))
        }
        other => other.to_string(),
    }
}

/// "Status: Backlog → In progress", one line a changed field.
fn changes(entry: &ActivityEntry, people: &People) -> Vec<String> {
    let Some(changes) = entry.details.get("changes").and_then(Value::as_object) else { return Vec::new() };
    changes
        .iter()
        .map(|(field, change)| {
            // Recorded without its values (a customer's contact details).
            if change.get("changed").is_some_and(|c| c == true) && change.get("to").is_none() {
                return format!("{}: changed", field_label(field));
            }
            let from = shown(field, change.get("from").unwrap_or(&Value::Null), people);
            let to = shown(field, change.get("to").unwrap_or(&Value::Null), people);
            format!("{}: {from} → {to}", field_label(field))
        })
        .collect()
}

/// The entries shown until "Show all" is pressed: the latest few, so a long history does not push
/// the rest of the page down.
const FIRST_ENTRIES: usize = 10;

#[component]
pub fn Timeline(entries: RwSignal<Vec<ActivityEntry>>, artists: RwSignal<Vec<User>>, assignee: Option<UserSummary>) -> impl IntoView {
    let all = RwSignal::new(false);
    let hidden = move || entries.with(|e| e.len().saturating_sub(FIRST_ENTRIES));
    view! {
        <ol class="timeline" id="history">
            {move || {
                let team = artists.get();
                let people = People { team: &team, assignee: assignee.as_ref() };
                let shown = if all.get() { usize::MAX } else { FIRST_ENTRIES };
                entries.get().into_iter().take(shown).map(|e| {
                    let lines = changes(&e, &people);
                    view! {
                        <li>
                            <span class="when">{crate::time::date_time(e.created_at)}</span>
                            <span class="what">{e.action.replace("project.", "").replace(['.', '_'], " ")}</span>
                            {e.details["filename"].as_str().map(|f| view! { <span class="change">{f.to_owned()}</span> })}
                            {lines.into_iter().map(|l| view! { <span class="change">{l}</span> }).collect_view()}
                            <span class="who">{who(e.user_email.as_deref(), e.ip_address.as_deref())}</span>
                        </li>
                    }
                }).collect_view()
            }}
        </ol>
        <Show when=move || { !all.get() && hidden() > 0 }>
            <button class="link show-all" aria-controls="history" on:click=move |_| all.set(true)>
                {move || format!("Show all ({} more)", hidden())}
            </button>
        </Show>
    }
}

/// `iris@… · 203.0.113.7`, or the studio itself for its own work (processing, sweeps).
fn who(email: Option<&str>, ip: Option<&str>) -> String {
    match (email, ip) {
        (None, _) => "PetPixel Studio (automatic)".into(),
        (Some(email), Some(ip)) => format!("{email} · {ip}"),
        (Some(email), None) => email.to_owned(),
    }
}
