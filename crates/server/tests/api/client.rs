//! The typed client that the web app uses (`petpixel-client`), natively, against the real
//! router: each call's method, path and body must be what the server serves, answers must
//! decode into the shared types, and session renewal must hold against the real refresh rules.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use http_body_util::BodyExt;
use petpixel_client::{Client, ClientError, HttpRequest, HttpResponse, Method, Transport};
use petpixel_types::activity::{ActivityQuery, CursorQuery};
use petpixel_types::api_token::CreateApiToken;
use petpixel_types::auth::LoginRequest;
use petpixel_types::notification::{EmailQuery, NotificationQuery, SendNotification, UpdateEmailPreferences};
use petpixel_types::project::{CreateProject, Difficulty, GameConfigInput, PackageType, ProjectQuery, ProjectStatus, UpdateProject};
use petpixel_types::user::{CreateUser, SetRole, UpdateUser, UserQuery};
use petpixel_types::{Permission, Role};
use tower::ServiceExt;

use crate::support::{TestApp, PASSWORD, USER_AGENT};

const COOKIE: &str = "petpixel_refresh";

/// What a browser does for the client: carries the refresh cookie to `/api/v1/auth` (and only
/// there), and lets other requests in flight go ahead while one waits for its answer.
#[derive(Clone)]
struct Wire(Rc<WireState>);

struct WireState {
    router: Router,
    cookie: RefCell<Option<String>>,
    refreshes: Cell<usize>,
}

impl Wire {
    fn new(app: &TestApp) -> Self {
        Wire(Rc::new(WireState { router: app.router(), cookie: RefCell::new(None), refreshes: Cell::new(0) }))
    }
}

impl Transport for Wire {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, String> {
        let method = match request.method {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        };
        let mut builder = Request::builder().method(method).uri(&request.path).header(header::USER_AGENT, USER_AGENT);
        if let Some(token) = &request.bearer {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if request.path.starts_with("/api/v1/auth/") {
            if let Some(cookie) = self.0.cookie.borrow().as_ref() {
                builder = builder.header(header::COOKIE, format!("{COOKIE}={cookie}"));
            }
        }
        if request.path == "/api/v1/auth/refresh" {
            self.0.refreshes.set(self.0.refreshes.get() + 1);
        }
        let body = match request.json {
            Some(json) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(json)
            }
            None => Body::empty(),
        };
        tokio::task::yield_now().await;
        let response = self.0.router.clone().oneshot(builder.body(body).map_err(|e| e.to_string())?).await.map_err(|e| e.to_string())?;
        for set in response.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str().map_err(|e| e.to_string())?;
            if let Some(value) = set.strip_prefix(&format!("{COOKIE}=")).and_then(|rest| rest.split(';').next()) {
                *self.0.cookie.borrow_mut() = (!value.is_empty()).then(|| value.to_owned());
            }
        }
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok(HttpResponse { status, body: String::from_utf8_lossy(&bytes).into_owned() })
    }
}

fn login(email: &str, cookie: bool) -> LoginRequest {
    LoginRequest { email: email.into(), password: PASSWORD.into(), refresh_cookie: cookie }
}

fn order(pet: &str) -> CreateProject {
    CreateProject {
        customer_name: "Sunny Lee".into(),
        customer_email: "sunny@example.com".into(),
        pet_name: pet.into(),
        package_type: Some(PackageType::Premium),
        game_config: Some(GameConfigInput { theme: "space".into(), difficulty: Some(Difficulty::Easy), features: vec![] }),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_client_speaks_every_endpoint_it_offers() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let client = Client::new(Wire::new(&app));

    let tokens = client.login(&login(&admin.email, false)).await.unwrap();
    assert!(tokens.refresh_token.is_some(), "an API client gets its refresh token in the body");
    assert_eq!(client.me().await.unwrap().user.id, admin.id);

    // Team: create an artist, rename them, give them a grant.
    let artist = client
        .create_user(&CreateUser {
            email: "pia@studio.example".into(),
            password: PASSWORD.into(),
            first_name: Some("Pia".into()),
            role: Some(Role::Artist),
            ..Default::default()
        })
        .await
        .unwrap();
    let renamed = client.update_user(artist.id, &UpdateUser { last_name: Some(Some("Pixel".into())), ..Default::default() }).await.unwrap();
    assert_eq!(renamed.display_name, "Pia Pixel");
    let granted = client
        .set_user_role(artist.id, &SetRole { role: Role::Artist, permissions: vec!["projects:create".parse::<Permission>().unwrap()] })
        .await
        .unwrap();
    assert_eq!(granted.permissions.len(), 1);
    let artists = client.list_users(&UserQuery { role: Some(Role::Artist), ..Default::default() }).await.unwrap();
    assert_eq!(artists.items.iter().map(|u| u.id).collect::<Vec<_>>(), vec![artist.id]);

    // A project through its workflow.
    let project = client.create_project(&order("Buttercup")).await.unwrap();
    assert_eq!(project.status, ProjectStatus::Backlog);
    let assigned = client.set_project_assignee(project.id, Some(artist.id)).await.unwrap();
    assert_eq!(assigned.assigned_artist_id, Some(artist.id));
    let moved = client.set_project_status(project.id, ProjectStatus::InProgress).await.unwrap();
    assert_eq!(moved.status, ProjectStatus::InProgress);
    let corgi = UpdateProject { pet_breed: Some(Some("Corgi".into())), ..Default::default() };
    let updated = client.update_project(project.id, &corgi, Some(moved.version)).await.unwrap();
    assert_eq!(updated.pet_breed.as_deref(), Some("Corgi"));
    // The version it was loaded at is gone: a stale edit is refused, not written over the new one.
    let stale = UpdateProject { pet_breed: Some(Some("Beagle".into())), ..Default::default() };
    let conflict = client.update_project(project.id, &stale, Some(moved.version)).await.unwrap_err();
    assert_eq!(conflict.status(), Some(409));
    let detail = client.get_project(project.id).await.unwrap();
    assert_eq!((detail.project.id, detail.project.pet_breed.as_deref()), (project.id, Some("Corgi")));
    let found = client
        .list_projects(&ProjectQuery { status: Some("in_progress".into()), q: Some("butter".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!((found.total, found.items[0].id), (1, project.id));
    let stats = client.project_stats().await.unwrap();
    assert_eq!(stats.total, 1);
    let history = client.project_activity(project.id, &CursorQuery::default()).await.unwrap();
    assert_eq!(history.items.len(), 4, "created, assigned, moved, updated: {:?}", history.items);
    // Notifications: a message to the artist, who reads it (and the others) through their own client.
    let welcome = SendNotification { user_id: artist.id, title: "Welcome".into(), message: None, project_id: Some(project.id) };
    let sent = client.send_notification(&welcome).await.unwrap();
    let pia = Client::new(Wire::new(&app));
    pia.login(&login("pia@studio.example", false)).await.unwrap();
    let mine = pia.list_notifications(&NotificationQuery::default()).await.unwrap();
    assert_eq!(mine.items[0].id, sent.id);
    let kinds: Vec<_> = mine.items.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(kinds, vec!["message", "status_changed", "assigned"]);
    assert_eq!((mine.unread_count, pia.unread_count().await.unwrap().count), (3, 3));
    assert!(pia.read_notification(sent.id).await.unwrap().read);
    assert_eq!(pia.read_all_notifications().await.unwrap().count, 0);
    let quiet = UpdateEmailPreferences { message: Some(false), ..Default::default() };
    let prefs = pia.update_notification_preferences(&quiet).await.unwrap();
    assert!(!prefs.message && prefs.assigned);
    assert_eq!(pia.notification_preferences().await.unwrap(), prefs);
    let feed = client.list_activity(&ActivityQuery { project_id: Some(project.id), ..Default::default() }).await.unwrap();
    assert_eq!(feed.items[0].action, "notification.sent");
    let since = client
        .list_activity(&ActivityQuery { project_id: Some(project.id), after: Some(feed.items[1].id), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(since.items.iter().map(|e| e.id).collect::<Vec<_>>(), vec![feed.items[0].id], "what came after the last entry seen");
    let emails = client.list_emails(&EmailQuery::default()).await.unwrap();
    assert_eq!(
        emails.items.iter().map(|e| e.subject.as_str()).collect::<Vec<_>>(),
        vec!["Welcome", "Test admin assigned Buttercup's game to you"]
    );

    client.delete_project(project.id).await.unwrap();
    let gone = client.get_project(project.id).await.unwrap_err();
    assert_eq!(gone.status(), Some(404));

    // API tokens: the secret once, then listed without it, then revoked.
    let scopes = vec!["projects:read".parse::<Permission>().unwrap()];
    let created = client.create_api_token(&CreateApiToken { name: "shop".into(), scopes, ..Default::default() }).await.unwrap();
    assert!(created.secret.starts_with("pp_"));
    assert_eq!(client.list_api_tokens().await.unwrap().len(), 1);
    client.delete_api_token(created.token.id).await.unwrap();
    assert!(client.list_api_tokens().await.unwrap().is_empty());

    // An integration uses the API token the same way.
    let integration = Client::new(Wire::new(&app));
    integration.set_token(Some(created.secret));
    assert_eq!(integration.list_projects(&ProjectQuery::default()).await.unwrap_err().status(), Some(401), "revoked");

    client.logout().await.unwrap();
    assert!(!client.has_token());
}

#[tokio::test]
async fn refusals_arrive_as_problems_naming_the_fields() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let client = Client::new(Wire::new(&app));
    client.login(&login(&manager.email, false)).await.unwrap();

    let mut bad = order("Buttercup");
    bad.customer_email = "not-an-address".into();
    bad.pet_age = Some(41);
    let ClientError::Api(problem) = client.create_project(&bad).await.unwrap_err() else { panic!("expected a problem") };
    assert_eq!(problem.status, 422);
    let mut fields: Vec<&str> = problem.errors.iter().map(|e| e.field.as_str()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["customer_email", "pet_age"]);

    let wrong =
        Client::new(Wire::new(&app)).login(&LoginRequest { password: "wrong password".into(), ..login(&manager.email, false) }).await;
    assert_eq!(wrong.unwrap_err().status(), Some(401));
}

#[tokio::test]
async fn requests_failing_together_share_one_renewal() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let wire = Wire::new(&app);
    let client = Client::new(wire.clone());
    client.login(&login(&manager.email, true)).await.unwrap();
    let first_cookie = wire.0.cookie.borrow().clone().expect("the refresh token comes as a cookie");

    // An access token the server no longer takes, as after its 15 minutes.
    client.set_token(Some("expired".into()));
    let answers = futures::future::join_all((0..4).map(|_| client.me())).await;
    for answer in &answers {
        assert_eq!(answer.as_ref().map(|me| me.user.id), Ok(manager.id));
    }
    assert_eq!(wire.0.refreshes.get(), 1, "one refresh for four requests");
    let second_cookie = wire.0.cookie.borrow().clone().unwrap();
    assert_ne!(first_cookie, second_cookie, "the refresh token rotated");

    // The family is still alive: a second expiry renews again.
    client.set_token(Some("expired".into()));
    assert!(client.me().await.is_ok());
    assert_eq!(wire.0.refreshes.get(), 2);
}

#[tokio::test]
async fn a_refused_renewal_ends_the_session_once() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let wire = Wire::new(&app);
    let client = Client::new(wire.clone());
    let lost = Rc::new(Cell::new(0));
    let counter = Rc::clone(&lost);
    client.on_session_lost(move || counter.set(counter.get() + 1));
    client.login(&login(&manager.email, true)).await.unwrap();

    // A spent refresh token: presenting it ends the family, so renewal is refused.
    let spent = wire.0.cookie.borrow().clone().unwrap();
    client.refresh().await.unwrap();
    *wire.0.cookie.borrow_mut() = Some(spent);
    client.set_token(Some("expired".into()));

    let answer = client.me().await;
    assert_eq!(answer.unwrap_err().status(), Some(401));
    assert_eq!(lost.get(), 1, "the session-lost hook ran");
    assert!(!client.has_token());
    // No further renewals are tried once the session is gone.
    let refreshes = wire.0.refreshes.get();
    assert_eq!(client.me().await.unwrap_err().status(), Some(401));
    assert_eq!(wire.0.refreshes.get(), refreshes);
    assert_eq!(lost.get(), 1);
}

/// The native transport, as an integration uses it: an API token over real HTTP, an order taken
/// in under its idempotency key (once, however often retried), a webhook endpoint registered and
/// its test delivery verified with the client's own check.
#[tokio::test]
async fn an_integration_works_over_the_native_transport() {
    use petpixel_client::native::Native;
    use petpixel_client::webhooks::{verify_delivery, Refusal};
    use petpixel_types::webhook::{CreateWebhookEndpoint, DeliveryQuery, DeliveryStatus, WebhookEventType};

    let app = TestApp::new().await;
    let base = app.serve().await;
    let admin = app.user(Role::Admin).await;
    let created = app.post("/api/v1/api-tokens", &admin.token, serde_json::json!({ "name": "shop", "scopes": ["*"] })).await;
    let client = Client::new(Native::new(format!("{base}/")));
    client.set_token(Some(created.body["secret"].as_str().unwrap().to_owned()));
    assert_eq!(client.me().await.unwrap().user.email, admin.email);

    let order = order("Buttercup");
    let first = client.create_project_idempotent(&order, "ORDER-1001").await.unwrap();
    let again = client.create_project_idempotent(&order, "ORDER-1001").await.unwrap();
    assert_eq!(first.id, again.id, "a retry answers the same project");
    let other = client.create_project_idempotent(&CreateProject { pet_name: "Other".into(), ..order }, "ORDER-1001").await;
    assert_eq!(other.unwrap_err().status(), Some(422), "another order under the same key");
    assert_eq!(client.list_projects(&ProjectQuery::default()).await.unwrap().total, 1);

    let endpoint = client
        .create_webhook(&CreateWebhookEndpoint {
            url: "http://127.0.0.1:9/hook".into(),
            description: None,
            event_types: vec![WebhookEventType::BuildReady],
            enabled: Some(false),
        })
        .await
        .unwrap();
    assert!(endpoint.secret.starts_with("whsec_"));
    let id = endpoint.endpoint.id;
    assert_eq!(client.test_webhook(id).await.unwrap_err().status(), Some(409), "switched off");
    let log = client.list_webhook_deliveries(id, &DeliveryQuery { status: Some(DeliveryStatus::Pending), ..Default::default() }).await;
    assert_eq!(log.unwrap().total, 0);

    // A receiver's check, with the server's own signing.
    let key = petpixel_server::webhooks::signature::key_of(&endpoint.secret).unwrap();
    let now = chrono::Utc::now().timestamp();
    let signature = petpixel_server::webhooks::signature::sign(&key, "msg_1", now, b"{}");
    assert_eq!(verify_delivery(&endpoint.secret, "msg_1", &now.to_string(), &signature, b"{}", now), Ok(()));
    assert_eq!(verify_delivery(&endpoint.secret, "msg_2", &now.to_string(), &signature, b"{}", now), Err(Refusal::Signature));
    client.delete_webhook(id).await.unwrap();
    assert_eq!(client.list_webhooks().await.unwrap(), vec![]);
}
