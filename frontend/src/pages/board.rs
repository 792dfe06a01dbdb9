//! The board: a column per status, a card per project.

use leptos::prelude::*;
use petpixel_types::project::{Project, ProjectQuery, ProjectStatus};

use crate::session::api;

#[derive(Clone)]
struct Column {
    status: ProjectStatus,
    projects: Vec<Project>,
    total: u64,
}

#[component]
pub fn Board() -> impl IntoView {
    let columns = RwSignal::new(None::<Result<Vec<Column>, String>>);
    leptos::task::spawn_local(async move {
        let mut loaded = Vec::new();
        for status in ProjectStatus::ALL.iter().copied() {
            let query = ProjectQuery {
                status: Some(status.as_str().into()),
                sort: Some("deadline".into()),
                limit: Some(100),
                ..Default::default()
            };
            match api().list_projects(&query).await {
                Ok(page) => loaded.push(Column { status, total: page.total, projects: page.items }),
                Err(e) => {
                    columns.set(Some(Err(e.to_string())));
                    return;
                }
            }
        }
        columns.set(Some(Ok(loaded)));
    });

    view! {
        <main class="page">
            <h1>"Board"</h1>
            {move || match columns.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading projects…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e}</p> }.into_any(),
                Some(Ok(cols)) => view! {
                    <div class="board">
                        {cols.into_iter().map(|c| view! { <BoardColumn column=c /> }).collect_view()}
                    </div>
                }.into_any(),
            }}
        </main>
    }
}

#[component]
fn BoardColumn(column: Column) -> impl IntoView {
    let empty = column.projects.is_empty();
    view! {
        <section class="column" data-status=column.status.as_str() aria-label=column.status.label()>
            <h2>{column.status.label()}<span class="count">{column.total}</span></h2>
            {empty.then(|| view! { <p class="empty">"Nothing here."</p> })}
            <ul>
                {column.projects.into_iter().map(|p| view! { <li><Card project=p /></li> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Card(project: Project) -> impl IntoView {
    let artist = project.assigned_artist.as_ref().map(|a| a.display_name.clone()).unwrap_or_else(|| "Unassigned".into());
    let deadline = project.deadline.map(|d| d.format("%b %-d").to_string());
    view! {
        <article class="project-card" class:overdue=project.overdue data-id=project.id.to_string() tabindex="0">
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
        </article>
    }
}
