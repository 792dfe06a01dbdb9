//! A card on the board, and its "Move" menu: the keyboard's way (and a pointer's, without
//! dragging) to send a project to another column. The menu follows the WAI-ARIA menu button
//! pattern: Enter, Space or the arrow keys open it on its first or last choice, the arrow keys,
//! Home and End move between choices, Escape closes it and gives focus back to its button.

use leptos::ev::{FocusEvent, KeyboardEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use petpixel_types::project::{Project, ProjectStatus};
use uuid::Uuid;

use super::CardRef;

#[component]
pub fn Card(
    project: Project,
    /// Where the user may send it; empty when they may not move it.
    targets: Vec<ProjectStatus>,
    dragged: RwSignal<Option<CardRef>>,
    /// The card whose menu is open: one at a time on the whole board.
    open_menu: RwSignal<Option<Uuid>>,
    on_move: impl Fn(CardRef, ProjectStatus) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let card = CardRef { id: project.id, from: project.status, assignee: project.assigned_artist_id };
    let artist = project.assigned_artist.as_ref().map(|a| a.display_name.clone()).unwrap_or_else(|| "Unassigned".into());
    let deadline = project.deadline.map(crate::time::short_date);
    let menu = (!targets.is_empty())
        .then(|| view! { <MoveMenu card=card pet=project.pet_name.clone() targets=targets open_menu=open_menu on_move=on_move /> });
    view! {
        <a class="project-card" class:overdue=project.overdue href=format!("/projects/{}", project.id) draggable="true"
            data-id=project.id.to_string()
            on:dragstart=move |ev: leptos::ev::DragEvent| {
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data("text/plain", &card.id.to_string());
                    dt.set_effect_allowed("move");
                }
                dragged.set(Some(card));
            }
            on:dragend=move |_| dragged.set(None)>
            <div class="card-head">
                <crate::pages::thumb::PetThumb photo=project.pet_photo.clone() />
                <div>
                    <h3>{project.pet_name}</h3>
                    <p class="customer">{project.customer_name}</p>
                </div>
            </div>
            <p class="tags">
                <span class="tag package">{project.package_type.as_str()}</span>
                <span class=format!("tag priority-{}", project.priority.as_str())>{project.priority.as_str()}</span>
            </p>
            <p class="meta">
                <span class="deadline">{deadline.unwrap_or_else(|| "No deadline".into())}</span>
                <span class="artist">{artist}</span>
            </p>
        </a>
        {menu}
    }
}

#[derive(Clone, Copy)]
enum Choice {
    First,
    Last,
}

#[component]
fn MoveMenu(
    card: CardRef,
    pet: String,
    targets: Vec<ProjectStatus>,
    open_menu: RwSignal<Option<Uuid>>,
    on_move: impl Fn(CardRef, ProjectStatus) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let is_open = move || open_menu.get() == Some(card.id);
    let button = NodeRef::<html::Button>::new();
    let menu = NodeRef::<html::Ul>::new();
    let menu_id = format!("move-{}", card.id);

    let open = move |choice: Choice| {
        open_menu.set(Some(card.id));
        // The menu is drawn by a task this write has just queued; this one runs after it, before
        // the browser handles the next key, so a quick Enter lands on the choice.
        leptos::task::spawn_local(async move {
            let items = menu_items(menu);
            let at = match choice {
                Choice::First => 0,
                Choice::Last => items.len().saturating_sub(1),
            };
            focus_at(&items, at);
        });
    };
    let close = move |refocus: bool| {
        if open_menu.get_untracked() == Some(card.id) {
            open_menu.set(None);
        }
        if refocus {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    let on_button_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            open(Choice::First);
        }
        "ArrowUp" => {
            ev.prevent_default();
            open(Choice::Last);
        }
        _ => {}
    };
    let on_menu_key = move |ev: KeyboardEvent| {
        let items = menu_items(menu);
        let current = items.iter().position(|i| document().active_element().as_ref() == Some(i.unchecked_ref()));
        let last = items.len().saturating_sub(1);
        let to = match ev.key().as_str() {
            "ArrowDown" => current.map_or(0, |i| if i >= last { 0 } else { i + 1 }),
            "ArrowUp" => current.map_or(last, |i| if i == 0 { last } else { i - 1 }),
            "Home" => 0,
            "End" => last,
            "Escape" => {
                ev.prevent_default();
                close(true);
                return;
            }
            // Tab leaves the menu where the browser takes it; the menu closes on focusout.
            _ => return,
        };
        ev.prevent_default();
        focus_at(&items, to);
    };
    // Focus leaving the button and its menu (a click elsewhere, Tab) closes the menu.
    let on_focus_out = move |ev: FocusEvent| {
        let inside = match (ev.current_target(), ev.related_target()) {
            (Some(container), Some(to)) => container.unchecked_into::<web_sys::Node>().contains(Some(to.unchecked_ref())),
            _ => false,
        };
        if !inside {
            close(false);
        }
    };

    view! {
        <div class="move" on:focusout=on_focus_out>
            <button class="move-toggle" node_ref=button type="button" aria-haspopup="menu" aria-controls=menu_id.clone()
                aria-expanded=move || if is_open() { "true" } else { "false" }
                aria-label=format!("Move {pet}") title="Move to another column"
                on:click=move |_| if is_open() { close(false) } else { open(Choice::First) }
                on:keydown=on_button_key>
                "⇄"
            </button>
            {move || is_open().then(|| view! {
                <ul role="menu" id=menu_id.clone() node_ref=menu aria-label=format!("Move {pet} to") on:keydown=on_menu_key>
                    {targets.iter().copied().map(|to| view! {
                        <li role="none">
                            <button role="menuitem" type="button" tabindex="-1"
                                on:click=move |_| {
                                    close(false);
                                    on_move(card, to);
                                }>
                                {format!("Move to {}", to.label())}
                            </button>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

fn menu_items(menu: NodeRef<html::Ul>) -> Vec<web_sys::HtmlElement> {
    let Some(menu) = menu.get_untracked() else { return Vec::new() };
    let Ok(nodes) = menu.query_selector_all("[role=menuitem]") else { return Vec::new() };
    (0..nodes.length()).filter_map(|i| nodes.item(i)?.dyn_into().ok()).collect()
}

fn focus_at(items: &[web_sys::HtmlElement], at: usize) {
    if let Some(item) = items.get(at) {
        let _ = item.focus();
    }
}
