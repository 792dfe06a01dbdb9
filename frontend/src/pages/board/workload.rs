//! The workload at a glance: counts per status, due this week, overdue, and each artist's load.

use leptos::prelude::*;
use petpixel_types::project::ProjectStats;

/// Counts and the load per artist, as stacked bars (one colour per status).
#[component]
pub fn Workload(stats: ProjectStats) -> impl IntoView {
    let widest = stats.by_artist.iter().map(|l| l.total).max().unwrap_or(1).max(1);
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
                                    <span class=format!("seg s-{}", c.status.as_str()) style=width(c.count, widest)>{c.count}</span>
                                }).collect_view()}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// A bar segment's share of the widest bar, to a tenth of a percent. In whole numbers: float
/// formatting would add its own code to the bundle for this one style.
fn width(count: u64, widest: u64) -> String {
    let tenths = count * 1000 / widest;
    format!("width: {}.{}%", tenths / 10, tenths % 10)
}
