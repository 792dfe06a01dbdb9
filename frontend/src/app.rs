use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_navigate;
use leptos_router::{lazy_route, path, Lazy, LazyRoute};

use crate::pages::{
    activity::ActivityFeed, board::Board, intake::Intake, integrations::Integrations, list::ProjectList, login::Login, profile::Profile,
    project::ProjectPage, team::Team, urls::UrlList,
};
use crate::session::{api, use_session, Session};
use petpixel_types::{Action, Resource};

#[component]
pub fn App() -> impl IntoView {
    let session = Session::start();
    provide_context(session);
    provide_context(crate::live::Live::start(session));
    crate::pages::login::LoginDraft::provide();
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=Login />
                <Route path=path!("/") view=|| view! { <Shell><Board /></Shell> } />
                <Route path=path!("/projects") view={Lazy::<ListRoute>::new()} />
                <Route path=path!("/profile") view={Lazy::<ProfileRoute>::new()} />
                <Route path=path!("/team") view={Lazy::<TeamRoute>::new()} />
                <Route path=path!("/urls") view={Lazy::<UrlsRoute>::new()} />
                <Route path=path!("/activity") view={Lazy::<ActivityRoute>::new()} />
                <Route path=path!("/integrations") view={Lazy::<IntegrationsRoute>::new()} />
                <Route path=path!("/projects/new") view={Lazy::<IntakeRoute>::new()} />
                <Route path=path!("/projects/:id") view=|| view! { <Shell><ProjectPage /></Shell> } />
            </Routes>
        </Router>
    }
}

// Login, the board and a project's page (a click away from every card) come with the first load;
// the other pages are each their own WASM chunk, fetched when first visited (wasm-split, see
// `xtask/src/frontend.rs`).

/// A page behind login, in its own chunk: `lazy_page!(Route, Page)`.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;
        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            fn view(_this: Self) -> AnyView {
                view! { <Shell><$page /></Shell> }.into_any()
            }
        }
    };
}

lazy_page!(ListRoute, ProjectList);
lazy_page!(ProfileRoute, Profile);
lazy_page!(TeamRoute, Team);
lazy_page!(IntakeRoute, Intake);
lazy_page!(UrlsRoute, UrlList);
lazy_page!(ActivityRoute, ActivityFeed);
lazy_page!(IntegrationsRoute, Integrations);

#[component]
fn NotFound() -> impl IntoView {
    Effect::new(|_| crate::shell::hand_over());
    view! { <main class="page"><h1>"Not found"</h1><p><A href="/">"Back to the board"</A></p></main> }
}

/// The frame of every page behind login: waits for the session, sends strangers to the login
/// page, and shows the top bar. The bar's brand is there from the first paint (the page's shell
/// draws the same), the rest once the session is known. On a narrow screen the links fold into
/// a menu; the bell stays in the bar.
#[component]
fn Shell(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    // The page's own shell drew this same frame; the app's stands in its place now.
    Effect::new(|_| crate::shell::hand_over());
    Effect::new(move |_| {
        if session.ready.get() && session.me.with(Option::is_none) {
            navigate("/login", Default::default());
        }
    });
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            let _ = api().logout().await;
            session.me.set(None);
        });
    };
    let menu = RwSignal::new(false);
    // A link followed closes the menu.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        location.pathname.track();
        menu.set(false);
    });
    let close_on_escape = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && menu.get_untracked() {
            menu.set(false);
        }
    };
    let logged_in = move || session.me.with(Option::is_some);
    view! {
        <header class="topbar" on:keydown=close_on_escape>
            <A href="/" attr:class="brand">"PetPixel Studio"</A>
            <Show when=logged_in>
                <button class="menu-toggle" aria-expanded=move || menu.get().to_string() aria-controls="main-menu"
                    on:click=move |_| menu.update(|m| *m = !*m)>
                    <span aria-hidden="true">"☰"</span>" Menu"
                </button>
                <div id="main-menu" class="menu" class:open=move || menu.get()>
                    <nav aria-label="Main">
                        <A href="/">"Board"</A>
                        <A href="/projects">"Projects"</A>
                        <A href="/activity">"Activity"</A>
                        <Show when=move || session.can(Resource::Urls, Action::Read)>
                            <A href="/urls">"Addresses"</A>
                        </Show>
                        <Show when=move || session.can(Resource::Projects, Action::Create)>
                            <A href="/projects/new">"New order"</A>
                        </Show>
                        <Show when=move || session.can(Resource::Users, Action::Read)>
                            <A href="/team">"Team"</A>
                        </Show>
                        <Show when=move || session.is_admin()>
                            <A href="/integrations">"Integrations"</A>
                        </Show>
                    </nav>
                    <div class="account">
                        <A href="/profile" attr:class="who">{move || session.me.with(|m| m.as_ref().map(|m| m.user.display_name.clone()))}</A>
                        <button class="link" on:click=logout>"Log out"</button>
                    </div>
                </div>
                <crate::live::LiveIndicator />
                <crate::live::Bell />
            </Show>
        </header>
        <Show when=logged_in fallback=|| view! { <main class="page"><p class="loading" aria-busy="true">"Loading…"</p></main> }>
            {children()}
            <crate::live::Toasts />
        </Show>
    }
}
