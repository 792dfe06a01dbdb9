//! The board: a column per status, a card per project. Dragging a card to another column moves
//! the project there when the workflow and the user's permissions allow it, and says why not
//! otherwise.

use leptos::prelude::*;
use petpixel_types::project::{Project, ProjectQuery, ProjectStats, ProjectStatus, TransitionError};
use uuid::Uuid;

use crate::session::{api, use_session, Session};

/// Cards shown per column; the count says how many there are in all.
const PER_COLUMN: i64 = 100;

#[derive(Clone)]
struct Column {
    status: ProjectStatus,
    projects: Vec<Project>,
    total: u64,
}

/// The card being dragged: its id, where it comes from, and whose it is.
#[derive(Clone, Copy)]
struct Dragged {
    id: Uuid,
    from: ProjectStatus,
    assignee: Option<Uuid>,
}

#[derive(Clone)]
enum Message {
    Done(String),
    Refused(String),
}

fn load(columns: RwSignal<Option<Result<Vec<Column>, String>>>) {
    leptos::task::spawn_local(async move {
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
        let loaded: Result<Vec<Column>, _> = futures::future::join_all(requests).await.into_iter().collect();
        columns.set(Some(loaded.map_err(|e| e.to_string())));
    });
}

/// Why `session` may not move `card` to `to`, if it may not.
fn refusal(session: &Session, card: Dragged, to: ProjectStatus) -> Option<String> {
    if !session.can_edit_project(card.assignee) {
        return Some("Only the assigned artist or a manager may move this project.".into());
    }
    match card.from.check_transition(to, session.is_project_manager()) {
        Ok(()) => None,
        Err(TransitionError::ReopenNeedsManager) => Some("Only managers may reopen a complete project.".into()),
        Err(TransitionError::NotAllowed) => {
            let next: Vec<&str> = card.from.next(session.is_project_manager()).iter().map(|s| s.label()).collect();
            Some(format!(
                "A project cannot go from {} to {}; from {} it can go to {}.",
                card.from.label(),
                to.label(),
                card.from.label(),
                if next.is_empty() { "nowhere".to_owned() } else { next.join(" or ") }
            ))
        }
    }
}

#[component]
pub fn Board() -> impl IntoView {
    let session = use_session();
    let columns = RwSignal::new(None::<Result<Vec<Column>, String>>);
    let dragged = RwSignal::new(None::<Dragged>);
    let message = RwSignal::new(None::<Message>);
    let stats = RwSignal::new(None::<ProjectStats>);
    let load_all = move || {
        load(columns);
        leptos::task::spawn_local(async move { stats.set(api().project_stats().await.ok()) });
    };
    load_all();

    let drop_on = move |to: ProjectStatus| {
        let Some(card) = dragged.get_untracked() else { return };
        dragged.set(None);
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
                    load_all();
                }
                Err(e) => message.set(Some(Message::Refused(e.to_string()))),
            }
        });
    };

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
                        {cols.into_iter().map(|c| view! { <BoardColumn column=c dragged=dragged on_drop=drop_on /> }).collect_view()}
                    </div>
                }.into_any(),
            }}
        </main>
    }
}

#[component]
fn BoardColumn(column: Column, dragged: RwSignal<Option<Dragged>>, on_drop: impl Fn(ProjectStatus) + Copy + 'static) -> impl IntoView {
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
                {column.projects.into_iter().map(|p| view! { <li><Card project=p dragged=dragged /></li> }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="muted small">{format!("and {more} more")}</p> })}
        </section>
    }
}

#[component]
fn Card(project: Project, dragged: RwSignal<Option<Dragged>>) -> impl IntoView {
    let card = Dragged { id: project.id, from: project.status, assignee: project.assigned_artist_id };
    let artist = project.assigned_artist.as_ref().map(|a| a.display_name.clone()).unwrap_or_else(|| "Unassigned".into());
    let deadline = project.deadline.map(|d| d.format("%b %-d").to_string());
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
            <h3>{project.pet_name.clone()}</h3>
            <p class="customer">{project.customer_name.clone()}</p>
            <p class="tags">
                <span class="tag package">{project.package_type.as_str()}</span>
                <span class=format!("tag priority-{}", project.priority.as_str())>{project.priority.as_str()}</span>
            </p>
            <p class="meta">
                <span class="deadline">{deadline.unwrap_or_else(|| "No deadline".into())}</span>
                <span class="artist">{artist}</span>
            </p>
        </a>
    }
}

/// Counts and the load per artist, as stacked bars (one colour per status).
#[component]
fn Workload(stats: ProjectStats) -> impl IntoView {
    let widest = stats.by_artist.iter().map(|l| l.total).max().unwrap_or(1).max(1) as f64;
    view! {
        <section class="workload panel" aria-label="Workload">
            <div class="tiles">
                <div class="tile"><span class="n">{stats.total}</span>" projects"</div>
                {stats.by_status.iter().map(|c| view! {
                    <div class=format!("tile s-{}", c.status.as_str())><span class="n">{c.count}</span>" "{c.status.label().to_lowercase()}</div>
                }).collect_view()}
                <div class="tile due"><span class="n">{stats.due_this_week}</span>" due this week"</div>
                <div class="tile late"><span class="n">{stats.overdue}</span>" overdue"</div>
            </div>
            <ul class="bars" aria-label="Projects per artist">
                {stats.by_artist.into_iter().map(|load| {
                    let who = load.artist.map(|a| a.display_name).unwrap_or_else(|| "Unassigned".into());
                    let label = format!("{who}: {} projects", load.total);
                    view! {
                        <li title=label.clone() aria-label=label>
                            <span class="who">{who}</span>
                            <span class="bar">
                                {load.counts.into_iter().filter(|c| c.count > 0).map(|c| view! {
                                    <span class=format!("seg s-{}", c.status.as_str()) style=format!("width: {:.1}%", c.count as f64 / widest * 100.0)>{c.count}</span>
                                }).collect_view()}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
