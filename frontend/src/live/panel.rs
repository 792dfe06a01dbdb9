//! The bell's list: the latest notifications, each a link to what it is about; mark read, mark
//! all read. A chunk of its own, fetched the first time the bell opens.

use leptos::prelude::*;
use petpixel_types::notification::{Notification, NotificationQuery};
use petpixel_types::realtime as names;

use super::{on, use_live, RESYNC};
use crate::session::api;
use crate::time::date_time;

#[leptos::lazy]
pub fn bell_panel(open: RwSignal<bool>) -> AnyView {
    view! { <BellPanel open=open /> }.into_any()
}

#[component]
fn BellPanel(open: RwSignal<bool>) -> impl IntoView {
    let live = use_live();
    let items = RwSignal::new(None::<Result<Vec<Notification>, String>>);
    let load = move || {
        leptos::task::spawn_local(async move {
            let page = api().list_notifications(&NotificationQuery { limit: Some(10), ..Default::default() }).await;
            items.set(Some(page.map(|p| p.items).map_err(|e| e.to_string())));
        });
    };
    load();
    // Open, it takes new ones in as they come, and reads afresh after a reconnection or reads
    // in another tab.
    on::<Notification>(names::NOTIFICATION, move |n| {
        items.update(|i| {
            if let Some(Ok(list)) = i {
                list.insert(0, n);
                list.truncate(10);
            }
        })
    });
    on::<serde_json::Value>(names::NOTIFICATIONS_READ, move |_| load());
    on::<serde_json::Value>(RESYNC, move |_| load());
    let read = move |id| {
        leptos::task::spawn_local(async move {
            if let Ok(n) = api().read_notification(id).await {
                items.update(|i| {
                    if let Some(Ok(list)) = i {
                        for x in list.iter_mut().filter(|x| x.id == n.id) {
                            *x = n.clone();
                        }
                    }
                });
            }
        });
    };
    let read_all = move |_| {
        leptos::task::spawn_local(async move {
            if api().read_all_notifications().await.is_ok() {
                live.unread.set(Some(0));
                load();
            }
        });
    };
    let none_unread = move || live.unread.get().unwrap_or(0) == 0;
    view! {
        <div class="bell-panel" role="dialog" aria-label="Notifications">
            <div class="bell-head">
                <strong>"Notifications"</strong>
                <button class="link" on:click=read_all disabled=none_unread>"Mark all read"</button>
            </div>
            {move || match items.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert">{e}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="empty">"Nothing yet. Assignments, mentions and deadlines show up here."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="bell-list">
                        {list.into_iter().map(|n| {
                            let id = n.id;
                            let href = n.project_id.map(|p| format!("/projects/{p}")).unwrap_or_else(|| "/activity".into());
                            view! {
                                <li class:unread=!n.read>
                                    <a href=href on:click=move |_| { if !n.read { read(id) } open.set(false); }>
                                        <span class="title">{n.title.clone()}</span>
                                        {n.project_name.clone().map(|p| view! { <span class="small">{p}</span> })}
                                        {n.message.clone().map(|m| view! { <span class="small muted">{m}</span> })}
                                        <span class="small muted">{date_time(n.created_at)}{n.actor_name.clone().map(|a| format!(" · {a}"))}</span>
                                    </a>
                                    {(!n.read).then(|| view! { <button class="link small" on:click=move |_| read(id)>"Mark read"</button> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <p class="small"><a href="/activity" on:click=move |_| open.set(false)>"All activity"</a></p>
        </div>
    }
}
