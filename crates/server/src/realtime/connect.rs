//! A socket's life: the handshake's token is checked before it connects (a bad one gets a
//! `connect_error` saying why), then it joins the rooms its permissions allow, and `subscribe`
//! joins a project's room if its user may read that project.

use petpixel_types::activity::ResourceType;
use petpixel_types::auth::AuthMethod;
use petpixel_types::realtime::{Subscribe, SubscribeReply, SUBSCRIBE, UNSUBSCRIBE};
use petpixel_types::{Action, Resource, Scope};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};

use super::rooms;
use crate::actor::{Actor, ClientInfo};
use crate::auth::{secret, service as auth};
use crate::error::AppError;
use crate::state::AppState;
use crate::{policy, projects};

#[derive(Debug, Deserialize)]
pub struct Handshake {
    token: Option<String>,
}

/// The `connect_error` message: the same words a refused HTTP request gets.
#[derive(Debug)]
pub struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub async fn authenticate(socket: SocketRef, State(state): State<AppState>, auth: TryData<Handshake>) -> Result<(), Refused> {
    let token = auth.0.ok().and_then(|h| h.token).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(Refused("Log in first: send the access token as `auth.token`.".into()));
    };
    let client = ClientInfo::from_parts(socket.req_parts(), state.config.trusted_hops());
    let actor = auth::authenticate(&state, &token, client).await.map_err(|e| Refused(reason(e)))?;
    let (token_id, api_token) = match actor.method {
        AuthMethod::ApiToken => (secret::parse_api_token(&token).map(|(id, _)| id), Some(SecretString::from(token))),
        _ => (None, None),
    };
    socket.extensions.insert(Joined { actor, token_id, api_token });
    Ok(())
}

/// What a connected socket is known by.
#[derive(Debug, Clone)]
pub struct Joined {
    actor: Actor,
    token_id: Option<uuid::Uuid>,
    /// An API token, checked again from time to time (it may expire).
    api_token: Option<SecretString>,
}

impl Joined {
    /// Whether the credentials the socket connected with still hold: its login session (the
    /// access token itself expires within minutes and is renewed by the page), or its API token.
    async fn holds(&self, state: &AppState) -> bool {
        let client = self.actor.client.clone();
        match (&self.api_token, self.actor.session_id) {
            (Some(token), _) => auth::authenticate(state, token.expose_secret(), client).await.is_ok(),
            (None, Some(sid)) => auth::session_actor(state, sid, self.actor.user_id, client).await.is_ok(),
            (None, None) => false,
        }
    }
}

/// Closes the sockets whose credentials ended without an event telling (they expired).
pub async fn recheck(state: &AppState, io: &socketioxide::SocketIo) {
    for socket in io.sockets() {
        let Some(joined) = socket.extensions.get::<Joined>() else { continue };
        if !joined.holds(state).await {
            let _ = socket.disconnect();
        }
    }
}

/// Closes the socket the moment its credential's time is up (its session expires or reaches its
/// maximum lifetime, its API token expires), as HTTP then refuses that credential: at that moment
/// the credential is checked again, and a refreshed session moves the deadline on.
async fn watch_deadline(socket: SocketRef, state: AppState, joined: Joined, gone: tokio_util::sync::CancellationToken) {
    loop {
        let ends = match auth::credential_ends_at(&state, joined.actor.session_id, joined.token_id).await {
            Ok(Some(ends)) => ends,
            Ok(None) => break,
            // The database is away: the minute's recheck takes over.
            Err(_) => return,
        };
        let wait = (ends - chrono::Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            () = gone.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
        if !joined.holds(&state).await {
            break;
        }
    }
    let _ = socket.disconnect();
}

pub async fn connected(socket: SocketRef, State(state): State<AppState>, Extension(joined): Extension<Joined>) {
    let gone = tokio_util::sync::CancellationToken::new();
    let cancel = gone.clone();
    socket.on_disconnect(move || async move { cancel.cancel() });
    tokio::spawn(watch_deadline(socket.clone(), state, joined.clone(), gone));
    let actor = &joined.actor;
    let mut own = vec![rooms::user(actor.user_id)];
    own.extend(actor.session_id.map(rooms::session));
    own.extend(joined.token_id.map(rooms::token));
    if actor.permissions.scope(Resource::Projects, Action::Read) == Some(Scope::Any) {
        own.push(if policy::sees_contact_everywhere(actor) { rooms::ALL_PROJECTS_CONTACT } else { rooms::ALL_PROJECTS }.into());
    }
    if actor.permissions.allows(Resource::Projects, Action::Read) {
        own.push(rooms::assigned(actor.user_id));
    }
    let details = policy::sees_client_details(actor);
    own.extend(policy::readable_activity_types(actor).into_iter().map(|t: ResourceType| rooms::feed(t, details)));
    socket.join(own);
    socket.on(SUBSCRIBE, subscribe);
    socket.on(UNSUBSCRIBE, unsubscribe);
}

async fn subscribe(
    socket: SocketRef,
    State(state): State<AppState>,
    Extension(joined): Extension<Joined>,
    TryData(request): TryData<Subscribe>,
    ack: AckSender,
) {
    let reply = match request {
        Err(_) => SubscribeReply { ok: false, error: Some("Send `{\"project_id\": \"<uuid>\"}`.".into()) },
        Ok(Subscribe { project_id }) => match projects::service::readable(&state.db.conn, &joined.actor, project_id).await {
            Ok(()) => {
                let contact = policy::sees_contact_everywhere(&joined.actor);
                socket.join(if contact { rooms::project_contact(project_id) } else { rooms::project(project_id) });
                // Its assets' changes (with their download links) only for those who may read them.
                if policy::require(&joined.actor, Resource::Assets, Action::Read).is_ok() {
                    socket.join(rooms::project_assets(project_id));
                }
                SubscribeReply { ok: true, error: None }
            }
            Err(e) => SubscribeReply { ok: false, error: Some(reason(e)) },
        },
    };
    let _ = ack.send(&reply);
}

async fn unsubscribe(socket: SocketRef, TryData(request): TryData<Subscribe>, ack: AckSender) {
    let reply = match request {
        Ok(Subscribe { project_id }) => {
            socket.leave([rooms::project(project_id), rooms::project_contact(project_id), rooms::project_assets(project_id)]);
            SubscribeReply { ok: true, error: None }
        }
        Err(_) => SubscribeReply { ok: false, error: Some("Send `{\"project_id\": \"<uuid>\"}`.".into()) },
    };
    let _ = ack.send(&reply);
}

fn reason(e: AppError) -> String {
    let problem = e.to_problem();
    problem.detail.unwrap_or(problem.title)
}
