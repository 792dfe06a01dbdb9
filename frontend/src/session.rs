//! Who is logged in. The access token lives in the client's memory only; the refresh token is an
//! HttpOnly cookie the page never sees, so a reload renews the session with one request.

use std::rc::Rc;

use leptos::prelude::*;
use petpixel_client::web::Fetch;
use petpixel_client::Client;
use petpixel_types::auth::Me;
use petpixel_types::{Action, Resource, Scope};
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
        leptos::task::spawn_local(async move {
            if api().refresh().await.is_ok() {
                if let Ok(me) = api().me().await {
                    session.me.set(Some(me));
                }
            }
            session.ready.set(true);
        });
        session
    }
}

impl Session {
    /// How far the user may do `action` on `resource`, if at all.
    pub fn scope(&self, resource: Resource, action: Action) -> Option<Scope> {
        self.me.with(|me| {
            let me = me.as_ref()?;
            me.permissions.iter().filter(|g| g.permission.covers(resource, action)).map(|g| g.scope).max()
        })
    }

    pub fn can(&self, resource: Resource, action: Action) -> bool {
        self.scope(resource, action).is_some()
    }

    pub fn user_id(&self) -> Option<Uuid> {
        self.me.with(|me| me.as_ref().map(|m| m.user.id))
    }

    /// Whether the user may change a project assigned to `assignee` (the API refuses it anyway).
    pub fn can_edit_project(&self, assignee: Option<Uuid>) -> bool {
        match self.scope(Resource::Projects, Action::Update) {
            Some(Scope::Any) => true,
            Some(Scope::Assigned) => assignee.is_some() && assignee == self.user_id(),
            None => false,
        }
    }

    /// Managers: assign projects and reopen complete ones.
    pub fn is_project_manager(&self) -> bool {
        self.scope(Resource::Projects, Action::Update) == Some(Scope::Any)
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
