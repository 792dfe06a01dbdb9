//! Who is logged in. The access token lives in the client's memory only; the refresh token is an
//! HttpOnly cookie the page never sees, so a reload renews the session with one request.

use std::rc::Rc;

use wasm_bindgen::JsCast;

use leptos::prelude::*;
use petpixel_client::web::Fetch;
use petpixel_client::Client;
use petpixel_types::auth::Me;
use petpixel_types::{Action, Permissions, Resource};
use uuid::Uuid;

thread_local! {
    static CLIENT: Rc<Client<Fetch>> = Rc::new(Client::new(Fetch));
}

/// The API client (the page has one thread, and one client).
pub fn api() -> Rc<Client<Fetch>> {
    CLIENT.with(Rc::clone)
}

#[derive(Clone, Copy)]
pub struct Session {
    /// The logged-in user with their permissions; `None` when logged out.
    pub me: RwSignal<Option<Me>>,
    /// False until the first refresh attempt has answered.
    pub ready: RwSignal<bool>,
}

impl Session {
    pub fn start() -> Self {
        let session = Session { me: RwSignal::new(None), ready: RwSignal::new(false) };
        // A refused renewal ends the session here too; the shell then shows the login page.
        api().on_session_lost(move || session.me.set(None));
        // Only when the session hint cookie says there may be a session to renew: a first
        // visit asks nothing and logs no refused request.
        if !may_have_session() {
            session.ready.set(true);
            return session;
        }
        leptos::task::spawn_local(async move {
            match renewed_by_page().await {
                // The page renewed it while the app loaded (index.html).
                Some(Some(renewed)) => {
                    api().resume(renewed.tokens.access_token);
                    match renewed.me {
                        Some(me) => session.me.set(Some(me)),
                        None => {
                            if let Ok(me) = api().me().await {
                                session.me.set(Some(me));
                            }
                        }
                    }
                }
                // It tried, and there was no session.
                Some(None) => {}
                None => {
                    if api().refresh().await.is_ok() {
                        if let Ok(me) = api().me().await {
                            session.me.set(Some(me));
                        }
                    }
                }
            }
            session.ready.set(true);
        });
        session
    }
}

/// What the page's bootstrap renewed: the tokens and, if it could ask, who is logged in.
#[derive(serde::Deserialize)]
struct Renewed {
    tokens: petpixel_types::auth::TokenResponse,
    me: Option<Me>,
}

/// The page's own renewal (`window.__petpixelSession`): `None` when it made none, `Some(None)`
/// when it found no session.
async fn renewed_by_page() -> Option<Option<Renewed>> {
    let window = web_sys::window()?;
    let promise = js_sys::Reflect::get(&window, &"__petpixelSession".into()).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let answer = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    if answer.is_null() || answer.is_undefined() {
        return Some(None);
    }
    let json = js_sys::JSON::stringify(&answer).ok()?.as_string()?;
    Some(serde_json::from_str(&json).ok())
}

/// Whether the `petpixel_session` hint cookie is set (it holds no secret; the refresh token
/// itself is HttpOnly and out of the page's reach).
fn may_have_session() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return false };
    let cookies = js_sys::Reflect::get(&document, &"cookie".into()).ok().and_then(|c| c.as_string()).unwrap_or_default();
    cookies.split(';').any(|c| c.trim() == "petpixel_session=1")
}

impl Session {
    /// The user's permissions, as the API reported them (none before login).
    fn permissions(&self) -> Permissions {
        self.me.with(|me| Permissions { grants: me.as_ref().map(|m| m.permissions.clone()).unwrap_or_default() })
    }

    pub fn can(&self, resource: Resource, action: Action) -> bool {
        self.permissions().allows(resource, action)
    }

    pub fn user_id(&self) -> Option<Uuid> {
        self.me.with(|me| me.as_ref().map(|m| m.user.id))
    }

    /// Whether the user may change a project assigned to `assignee` (the API refuses it anyway).
    pub fn can_edit_project(&self, assignee: Option<Uuid>) -> bool {
        self.can_on_project(Resource::Projects, Action::Update, assignee)
    }

    /// Whether the user may `action` a `resource` of a project assigned to `assignee`.
    pub fn can_on_project(&self, resource: Resource, action: Action, assignee: Option<Uuid>) -> bool {
        self.user_id().is_some_and(|me| self.permissions().allows_on_project(resource, action, me, assignee))
    }

    /// Admins hold every permission everywhere (`*`), as the server decides it: `/me` lists the
    /// pairs one by one, so `*` itself never appears there.
    pub fn is_admin(&self) -> bool {
        self.permissions()
            .includes_grant(&petpixel_types::Grant { permission: petpixel_types::Permission::ALL, scope: petpixel_types::Scope::Any })
    }

    /// Managers: assign projects and reopen complete ones.
    pub fn is_project_manager(&self) -> bool {
        self.permissions().manages_projects()
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
