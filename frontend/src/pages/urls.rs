//! Every game address: its status, expiry and views. Filters, search, order and page live in the
//! URL's query ([`crate::filters`]).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use petpixel_types::page::Page;
use petpixel_types::url::{UrlListItem, UrlQuery, UrlStatus};

use crate::filters::with_param;
use crate::session::api;
use crate::time::date_time;

const PAGE_SIZE: i64 = 25;
const FILTERS: [&str; 3] = ["status", "q", "sort"];

#[component]
pub fn UrlList() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let result = RwSignal::new(None::<Result<Page<UrlListItem>, String>>);
    let generation = StoredValue::new(0u64);
    let current = Memo::new(move |_| {
        query.with(|q| UrlQuery {
            status: q.get("status"),
            q: q.get("q"),
            sort: q.get("sort"),
            limit: Some(PAGE_SIZE),
            offset: q.get("offset").and_then(|v| v.parse().ok()),
        })
    });
    Effect::new(move |_| {
        let q = current.get();
        let mine = generation.get_value() + 1;
        generation.set_value(mine);
        if let Err(e) = q.validate() {
            result.set(Some(Err(e.to_string())));
            return;
        }
        leptos::task::spawn_local(async move {
            let answer = api().list_urls(&q).await.map_err(|e| e.to_string());
            if generation.try_get_value() == Some(mine) {
                result.set(Some(answer));
            }
        });
    });
    let set = move |key: &'static str, value: String| {
        let url = query.with_untracked(|q| with_param("/urls", q, &FILTERS, key, &value));
        navigate(&url, NavigateOptions { replace: key == "q", ..Default::default() });
    };
    let param = move |key: &'static str| move || query.with(|q| q.get(key).unwrap_or_default());
    let (set_q, set_status, set_sort, set_page) = (set.clone(), set.clone(), set.clone(), set);

    view! {
        <main class="page">
            <h1>"Addresses"</h1>
            <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
                <div class="filter grow">
                    <label for="filter-q">"Search"</label>
                    <input id="filter-q" type="search" placeholder="Address, pet or customer" prop:value=param("q")
                        on:change=move |ev| set_q("q", event_target_value(&ev)) />
                </div>
                <div class="filter">
                    <label for="filter-status">"Status"</label>
                    <select id="filter-status" on:change=move |ev| set_status("status", event_target_value(&ev))>
                        <option value="" selected=move || param("status")().is_empty()>"Any"</option>
                        {UrlStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || param("status")() == s.as_str()>{label(s)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="filter">
                    <label for="filter-sort">"Sort"</label>
                    <select id="filter-sort" on:change=move |ev| set_sort("sort", event_target_value(&ev))>
                        {[("", "Newest first"), ("-views", "Most viewed"), ("slug", "Address"), ("expires_at", "Expiring soonest")].into_iter().map(|(v, t)| view! {
                            <option value=v selected=move || param("sort")() == v>{t}</option>
                        }).collect_view()}
                    </select>
                </div>
                <a class="link" href="/urls">"Clear"</a>
            </form>
            {move || match result.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading addresses…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e}</p> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <p class="empty-state">"No addresses here yet. A project's page proposes one for its game."</p>
                }.into_any(),
                Some(Ok(page)) => {
                    let (from, to, total) = (page.offset + 1, page.offset + page.items.len() as u64, page.total);
                    let offset = page.offset as i64;
                    let (prev, next) = (set_page.clone(), set_page.clone());
                    view! {
                        <div class="table-wrap">
                            <table class="urls">
                                <thead><tr><th>"Address"</th><th>"Pet"</th><th>"Status"</th><th>"Expires"</th><th>"Deployed"</th><th class="num">"Views"</th><th>"Last view"</th></tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|i| {
                                        let u = i.url;
                                        let live = u.status == UrlStatus::Active;
                                        view! {
                                            <tr>
                                                <td>{if live {
                                                    view! { <a class="slug" href=u.full_url.clone() target="_blank" rel="noopener">{format!("/g/{}", u.url_slug)}</a> }.into_any()
                                                } else {
                                                    view! { <span class="slug">{format!("/g/{}", u.url_slug)}</span> }.into_any()
                                                }}</td>
                                                <td class="pet-cell"><crate::pages::thumb::PetThumb photo=i.pet_photo.clone() size=32 /><span><a href=format!("/projects/{}", u.project_id)>{i.pet_name}</a><span class="small muted">" · "{i.customer_name}</span></span></td>
                                                <td><span class=format!("badge {}", u.status.as_str())>{label(u.status)}</span></td>
                                                <td>{if u.status == UrlStatus::Reserved { date_time(u.expires_at) } else { "—".into() }}</td>
                                                <td>{u.deployed_at.map(date_time).unwrap_or_else(|| "—".into())}</td>
                                                <td class="num">{u.view_count}</td>
                                                <td>{u.last_accessed.map(date_time).unwrap_or_else(|| "—".into())}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <nav class="pager" aria-label="Pages">
                            <span class="muted">{format!("{from}–{to} of {total}")}</span>
                            <button class="secondary" disabled={offset == 0} on:click=move |_| prev("offset", (offset - PAGE_SIZE).max(0).to_string())>"Previous"</button>
                            <button class="secondary" disabled={to >= total} on:click=move |_| next("offset", (offset + PAGE_SIZE).to_string())>"Next"</button>
                        </nav>
                    }.into_any()
                }
            }}
        </main>
    }
}

fn label(status: UrlStatus) -> &'static str {
    match status {
        UrlStatus::Reserved => "Reserved",
        UrlStatus::Active => "Live",
        UrlStatus::Expired => "Expired",
        UrlStatus::Deleted => "Released",
    }
}
