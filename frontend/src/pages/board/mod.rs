//! The board: a column per status, a card per project. Dragging a card to another column, or
//! choosing the column from the card's "Move" menu (the keyboard's way), moves the project there
//! when the workflow and the user's permissions allow it, and says why not otherwise.

mod card;
mod workload;

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use petpixel_types::project::{Project, ProjectQuery, ProjectStats, ProjectStatus};
use uuid::Uuid;

use self::card::Card;
use self::workload::Workload;
use crate::live;
use crate::session::{api, use_session, Session};
use petpixel_types::activity::ActivityEntry;
use petpixel_types::realtime as names;

/// Cards shown per column; the count says how many there are in all.
const PER_COLUMN: i64 = 100;

#[derive(Clone)]
struct Column {
    status: ProjectStatus,
    projects: Vec<Project>,
    total: u64,
}

/// What the board needs to know of a card to move it: which, from where, and whose.
#[derive(Clone, Copy)]
pub(crate) struct CardRef {
    id: Uuid,
    from: ProjectStatus,
    assignee: Option<Uuid>,
}

#[derive(Clone)]
enum Message {
    Done(String),
    Refused(String),
}

async fn fetch_columns() -> Result<Vec<Column>, String> {
    // The four columns at once: the board waits for the slowest, not for the sum.
    let requests = ProjectStatus::ALL.iter().copied().map(|status| async move {
        let query = ProjectQuery {
            status: Some(status.as_str().into()),
            sort: Some("deadline".into()),
            limit: Some(PER_COLUMN),
            ..Default::default()
        };
        api().list_projects(&query).await.map(|page| Column { status, total: page.total, projects: page.items })
    });
    futures::future::join_all(requests).await.into_iter().collect::<Result<_, _>>().map_err(|e| e.to_string())
}

/// Takes a card out of whichever column holds it; whether one did.
fn remove(cols: &mut [Column], id: Uuid) -> bool {
    let mut found = false;
    for col in cols.iter_mut() {
        let before = col.projects.len();
        col.projects.retain(|p| p.id != id);
        if col.projects.len() < before {
            col.total = col.total.saturating_sub(1);
            found = true;
        }
    }
    found
}

/// Puts a project's latest state on the board: in its status's column, in deadline order (none
/// last), unless that column shows only its first cards and this one sorts after them. An older
/// state than the one shown (events can pass a reload) is ignored. False when the board cannot
/// tell where the project was (a card it does not draw): its counts need reading afresh.
fn place(cols: &mut [Column], p: Project) -> bool {
    let newer = cols.iter().flat_map(|c| &c.projects).find(|x| x.id == p.id).is_none_or(|x| x.version <= p.version);
    if !newer {
        return true;
    }
    if !remove(cols, p.id) && p.version > 1 {
        return false;
    }
    let Some(col) = cols.iter_mut().find(|c| c.status == p.status) else { return true };
    col.total += 1;
    let key = |x: &Project| (x.deadline.is_none(), x.deadline, x.id);
    let at = col.projects.partition_point(|x| key(x) <= key(&p));
    if at < col.projects.len() || col.projects.len() as u64 == col.total - 1 {
        col.projects.insert(at, p);
    }
    true
}

/// Why `session` may not move `card` to `to`, if it may not.
fn refusal(session: &Session, card: CardRef, to: ProjectStatus) -> Option<String> {
    if !session.can_edit_project(card.assignee) {
        return Some("Only the assigned artist or a manager may move this project.".into());
    }
    let may_reopen = session.is_project_manager();
    card.from.check_transition(to, may_reopen).err().map(|e| e.message(card.from, to, may_reopen))
}

/// Puts focus on a card, wherever it now is: after a keyboard move the card is drawn anew in
/// its new column, and the user carries on from there.
fn focus_card(id: Uuid) {
    let found = document().query_selector(&format!(".project-card[data-id=\"{id}\"]")).ok().flatten();
    if let Some(card) = found.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = card.focus();
    }
}

#[component]
pub fn Board() -> impl IntoView {
    let session = use_session();
    let columns = RwSignal::new(None::<Result<Vec<Column>, String>>);
    let dragged = RwSignal::new(None::<CardRef>);
    let open_menu = RwSignal::new(None::<Uuid>);
    let message = RwSignal::new(None::<Message>);
    let stats = RwSignal::new(None::<ProjectStats>);
    let load_stats = move || leptos::task::spawn_local(async move { stats.set(api().project_stats().await.ok()) });
    leptos::task::spawn_local(async move { columns.set(Some(fetch_columns().await)) });
    load_stats();

    // The one way a card moves, by drag or by menu: the same checks the API makes, then the API.
    let move_card = move |card: CardRef, to: ProjectStatus, then_focus: bool| {
        if card.from == to {
            return;
        }
        if let Some(why) = refusal(&session, card, to) {
            message.set(Some(Message::Refused(why)));
            return;
        }
        leptos::task::spawn_local(async move {
            match api().set_project_status(card.id, to).await {
                Ok(p) => {
                    message.set(Some(Message::Done(format!("{} moved to {}.", p.pet_name, to.label()))));
                    load_stats();
                    columns.set(Some(fetch_columns().await));
                    if then_focus {
                        request_animation_frame(move || focus_card(card.id));
                    }
                }
                Err(e) => message.set(Some(Message::Refused(e.to_string()))),
            }
        });
    };
    let drop_on = move |to: ProjectStatus| {
        if let Some(card) = dragged.get_untracked() {
            dragged.set(None);
            move_card(card, to, false);
        }
    };
    let choose = move |card: CardRef, to: ProjectStatus| move_card(card, to, true);

    // Live: a card moves, appears or goes as the team changes projects; after a reconnection the
    // board is read afresh.
    live::on::<Project>(names::PROJECT_UPDATED, move |p| {
        let mut placed = true;
        columns.update(|c| {
            if let Some(Ok(cols)) = c {
                placed = place(cols, p);
            }
        });
        if !placed {
            leptos::task::spawn_local(async move { columns.set(Some(fetch_columns().await)) });
        }
        load_stats();
    });
    live::on::<ActivityEntry>(names::ACTIVITY, move |e| {
        if e.action == "project.deleted" {
            if let Some(id) = e.resource_id {
                columns.update(|c| {
                    if let Some(Ok(cols)) = c {
                        remove(cols, id);
                    }
                });
                load_stats();
            }
        }
    });
    live::on::<serde_json::Value>(live::RESYNC, move |_| {
        load_stats();
        leptos::task::spawn_local(async move { columns.set(Some(fetch_columns().await)) });
    });

    view! {
        <main class="page">
            <div class="page-head">
                <h1>"Board"</h1>
            </div>
            {move || stats.get().map(|s| view! { <Workload stats=s /> })}
            {move || message.get().map(|m| match m {
                Message::Done(text) => view! { <p class="notice" role="status">{text}</p> }.into_any(),
                Message::Refused(text) => view! { <p class="alert" role="alert">{text}</p> }.into_any(),
            })}
            {move || match columns.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading projects…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e}</p> }.into_any(),
                Some(Ok(cols)) => view! {
                    <div class="board">
                        {cols.into_iter().map(|c| view! {
                            <BoardColumn column=c dragged=dragged open_menu=open_menu on_drop=drop_on on_choose=choose />
                        }).collect_view()}
                    </div>
                }.into_any(),
            }}
        </main>
    }
}

#[component]
fn BoardColumn(
    column: Column,
    dragged: RwSignal<Option<CardRef>>,
    open_menu: RwSignal<Option<Uuid>>,
    on_drop: impl Fn(ProjectStatus) + Copy + 'static,
    on_choose: impl Fn(CardRef, ProjectStatus) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = use_session();
    let manager = session.is_project_manager();
    let status = column.status;
    let over = RwSignal::new(false);
    let empty = column.projects.is_empty();
    let more = column.total.saturating_sub(column.projects.len() as u64);
    view! {
        <section class="column" class:drop-target=move || over.get() data-status=status.as_str() aria-label=status.label()
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); over.set(true); }
            on:dragleave=move |_| over.set(false)
            on:drop=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); over.set(false); on_drop(status); }>
            <h2>{status.label()}<span class="count">{column.total}</span></h2>
            {empty.then(|| view! { <p class="empty">"Nothing here."</p> })}
            <ul>
                {column.projects.into_iter().map(|p| {
                    let targets = if session.can_edit_project(p.assigned_artist_id) { p.status.next(manager) } else { Vec::new() };
                    view! { <li><Card project=p targets=targets dragged=dragged open_menu=open_menu on_move=on_choose /></li> }
                }).collect_view()}
            </ul>
            {(more > 0).then(|| view! {
                <p class="small"><a href=format!("/projects?status={}&sort=deadline", status.as_str())>{format!("and {more} more in the list")}</a></p>
            })}
        </section>
    }
}
