//! Views per day as a bar chart, drawn as SVG (no chart library: thirty bars are a few lines).

use leptos::prelude::*;
use petpixel_types::url::DailyViews;

use crate::time::short_date;

const W: f64 = 600.0;
const H: f64 = 120.0;

#[component]
pub fn ViewsChart(daily: Vec<DailyViews>) -> impl IntoView {
    let max = daily.iter().map(|d| d.views).max().unwrap_or(0).max(1) as f64;
    let n = daily.len().max(1) as f64;
    let step = W / n;
    let (first, last) = (daily.first().map(|d| short_date(d.day)), daily.last().map(|d| short_date(d.day)));
    let total: i64 = daily.iter().map(|d| d.views).sum();
    view! {
        <figure class="views-chart">
            <svg viewBox=format!("0 0 {W} {}", H + 4.0) preserveAspectRatio="none" role="img"
                aria-label=format!("{total} views over {} days", daily.len())>
                {daily.iter().enumerate().map(|(i, d)| {
                    let h = (d.views as f64 / max * H).max(if d.views > 0 { 2.0 } else { 0.0 });
                    view! {
                        <rect x=format!("{:.1}", i as f64 * step + 1.0) y=format!("{:.1}", H - h) width=format!("{:.1}", (step - 2.0).max(1.0))
                            height=format!("{h:.1}") rx="2"><title>{format!("{}: {} views", short_date(d.day), d.views)}</title></rect>
                    }
                }).collect_view()}
                <line x1="0" y1=H x2=W y2=H />
            </svg>
            <figcaption class="small muted"><span>{first}</span><span>"peak "{max as i64}</span><span>{last}</span></figcaption>
        </figure>
    }
}
