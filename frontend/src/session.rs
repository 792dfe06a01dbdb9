//! Who is logged in. The access token lives in the client's memory only; the refresh token is an
//! HttpOnly cookie the page never sees, so a reload renews the session with one request.

use std::rc::Rc;

use leptos::prelude::*;
use petpixel_client::web::Fetch;
use petpixel_client::Client;
use petpixel_types::auth::Me;

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

pub fn use_session() -> Session {
    expect_context::<Session>()
}
