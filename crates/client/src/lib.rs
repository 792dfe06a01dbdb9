//! A typed client of the PetPixel Studio API: every request and answer is a `petpixel-types`
//! type, and every error answer a [`Problem`]. The HTTP itself goes through a [`Transport`], so
//! the same client runs in the browser (feature `web`) and natively.
//!
//! A session started with [`Client::login`] using `refresh_cookie` is renewed transparently: a
//! request answered 401 is retried once after a cookie refresh. Renewals are single-flight:
//! requests that fail together share one refresh, since a second refresh would present an
//! already-spent token and end the session. When renewal is refused, the `on_session_lost`
//! hook runs (the SPA goes to its login page).

use std::cell::RefCell;

use petpixel_types::activity::{ActivityPage, ActivityQuery, CursorQuery};
use petpixel_types::api_token::{ApiToken, CreateApiToken, CreatedApiToken};
use petpixel_types::asset::{Asset, AssetVersion, FileLink, LinkQuery, PresignUpload, PresignedUpload, UpdateAsset};
use petpixel_types::auth::{LoginRequest, Me, RefreshRequest, TokenResponse};
use petpixel_types::build::{Build, BuildQuery, CreateBuild};
use petpixel_types::client_error::ClientErrorReport;
use petpixel_types::notification::{
    EmailPreferences, EmailQuery, Notification, NotificationPage, NotificationQuery, OutboxEmail, SendNotification, UnreadCount,
    UpdateEmailPreferences,
};
use petpixel_types::project::{
    CreateProject, Project, ProjectDetail, ProjectQuery, ProjectStats, ProjectStatus, SetAssignee, SetStatus, UpdateProject,
};
use petpixel_types::template::Template;
use petpixel_types::url::{
    AnalyticsQuery, DeployUrl, GameUrl, ReserveUrl, SlugCheck, SlugProposals, SlugQuery, UrlAnalytics, UrlListItem, UrlQuery,
};
use petpixel_types::user::{CreateUser, SetRole, UpdateUser, User, UserQuery};
use petpixel_types::webhook::{
    CreateWebhookEndpoint, CreatedWebhookEndpoint, DeliveryQuery, RotatedSecret, UpdateWebhookEndpoint, WebhookDelivery, WebhookEndpoint,
};
use petpixel_types::{Page, Problem};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

#[cfg(feature = "native")]
pub mod native;
#[cfg(feature = "web")]
pub mod web;

/// Verifying deliveries in a receiver: `verify_delivery(secret, webhook-id, webhook-timestamp,
/// webhook-signature, body, now)`.
#[cfg(feature = "native")]
pub use petpixel_types::webhook::signature as webhooks;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: Method,
    /// Path and query, from `/api/...`.
    pub path: String,
    pub bearer: Option<String>,
    /// Other request headers (`If-Match`).
    pub headers: Vec<(&'static str, String)>,
    pub json: Option<String>,
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

/// Sends one request. Implementations: [`web::Fetch`] in the browser; anything else natively.
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn send(&self, request: HttpRequest) -> std::result::Result<HttpResponse, String>;
}

#[derive(Debug, Clone, PartialEq)]
pub enum ClientError {
    /// The API answered with a problem (4xx or 5xx).
    Api(Box<Problem>),
    /// The request did not get an answer.
    Network(String),
    /// The answer was not what the API promises.
    Decode(String),
}

impl ClientError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api(p) => Some(p.status),
            _ => None,
        }
    }

    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ClientError::Api(p) => Some(p.as_ref()),
            _ => None,
        }
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Api(p) => f.write_str(p.detail.as_deref().unwrap_or(&p.title)),
            ClientError::Network(e) => write!(f, "The server could not be reached ({e})."),
            ClientError::Decode(e) => write!(f, "The server's answer was not understood ({e})."),
        }
    }
}

pub type Result<T> = std::result::Result<T, ClientError>;

type Hook = Box<dyn Fn()>;

pub struct Client<T> {
    transport: T,
    access_token: RefCell<Option<String>>,
    cookie_session: RefCell<bool>,
    renewing: futures::lock::Mutex<()>,
    on_session_lost: RefCell<Option<Hook>>,
}

impl<T: Transport> Client<T> {
    pub fn new(transport: T) -> Self {
        Client {
            transport,
            access_token: RefCell::new(None),
            cookie_session: RefCell::new(false),
            renewing: futures::lock::Mutex::new(()),
            on_session_lost: RefCell::new(None),
        }
    }

    /// Runs when a cookie session can no longer be renewed.
    pub fn on_session_lost(&self, hook: impl Fn() + 'static) {
        *self.on_session_lost.borrow_mut() = Some(Box::new(hook));
    }

    /// Uses an access token or an API token for the requests that follow.
    pub fn set_token(&self, token: Option<String>) {
        *self.access_token.borrow_mut() = token;
    }

    pub fn has_token(&self) -> bool {
        self.access_token.borrow().is_some()
    }

    /// The token requests carry, for a request the transport cannot make (an upload whose
    /// progress the page shows).
    pub fn token(&self) -> Option<String> {
        self.access_token.borrow().clone()
    }

    async fn send_once(
        &self,
        method: Method,
        path: &str,
        headers: &[(&'static str, String)],
        json: Option<String>,
    ) -> Result<HttpResponse> {
        let request =
            HttpRequest { method, path: path.to_owned(), bearer: self.access_token.borrow().clone(), headers: headers.to_vec(), json };
        self.transport.send(request).await.map_err(ClientError::Network)
    }

    async fn call<B: Serialize, R: DeserializeOwned>(&self, method: Method, path: &str, body: Option<&B>) -> Result<R> {
        self.call_with(method, path, &[], body).await
    }

    async fn call_with<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        headers: &[(&'static str, String)],
        body: Option<&B>,
    ) -> Result<R> {
        decode(self.exchange(method, path, headers, body).await?)
    }

    /// The request and its answer, renewing the session once on a 401 where it can.
    async fn exchange<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        headers: &[(&'static str, String)],
        body: Option<&B>,
    ) -> Result<HttpResponse> {
        let json = body.map(|b| serde_json::to_string(b)).transpose().map_err(|e| ClientError::Decode(e.to_string()))?;
        let sent_with = self.access_token.borrow().clone();
        let mut response = self.send_once(method, path, headers, json.clone()).await?;
        // A 401 from login or refresh means bad credentials, not an expired access token.
        let renewable = *self.cookie_session.borrow() && !matches!(path, "/api/v1/auth/login" | "/api/v1/auth/refresh");
        if response.status == 401 && renewable {
            if self.renew(sent_with).await {
                response = self.send_once(method, path, headers, json).await?;
            } else {
                *self.cookie_session.borrow_mut() = false;
                if let Some(hook) = self.on_session_lost.borrow().as_ref() {
                    hook();
                }
            }
        }
        Ok(response)
    }

    /// One renewal at a time; a request refused with a token that another renewal has since
    /// replaced just retries with the new one.
    async fn renew(&self, failed_with: Option<String>) -> bool {
        let _one_at_a_time = self.renewing.lock().await;
        let current = self.access_token.borrow().clone();
        if current.is_some() && current != failed_with {
            return true;
        }
        self.refresh().await.is_ok()
    }

    async fn call_empty<B: Serialize>(&self, method: Method, path: &str, body: Option<&B>) -> Result<()> {
        let _: serde_json::Value = self.call(method, path, body).await?;
        Ok(())
    }

    /// Logs in; the access token is kept for the requests that follow.
    pub async fn login(&self, request: &LoginRequest) -> Result<TokenResponse> {
        let tokens: TokenResponse = self.call(Method::Post, "/api/v1/auth/login", Some(request)).await?;
        *self.cookie_session.borrow_mut() = request.refresh_cookie;
        self.set_token(Some(tokens.access_token.clone()));
        Ok(tokens)
    }

    /// Takes up a session renewed outside the client (the page's bootstrap renews it while the app
    /// loads): its access token, and its refresh cookie for the renewals to come.
    pub fn resume(&self, access_token: String) {
        *self.cookie_session.borrow_mut() = true;
        self.set_token(Some(access_token));
    }

    /// Renews the session from the refresh cookie (a browser reload, an expired access token).
    pub async fn refresh(&self) -> Result<TokenResponse> {
        // Straight to the transport: `call` renews through here, and must not recurse.
        let body = serde_json::to_string(&RefreshRequest { refresh_token: None }).map_err(|e| ClientError::Decode(e.to_string()))?;
        let result: Result<TokenResponse> = match self.send_once(Method::Post, "/api/v1/auth/refresh", &[], Some(body)).await {
            // No refresh token went with it: there is no session, which is not an error of the API.
            Ok(response) if response.status == 204 => Err(ClientError::Api(Box::new(Problem {
                kind: "about:blank".into(),
                title: "No session".into(),
                status: 401,
                detail: Some("There is no session to renew; log in.".into()),
                errors: vec![],
                alternatives: None,
            }))),
            Ok(response) => decode(response),
            Err(e) => Err(e),
        };
        match &result {
            Ok(tokens) => {
                *self.cookie_session.borrow_mut() = true;
                self.set_token(Some(tokens.access_token.clone()));
            }
            Err(_) => self.set_token(None),
        }
        result
    }

    pub async fn logout(&self) -> Result<()> {
        let result = self.call_empty::<()>(Method::Post, "/api/v1/auth/logout", None).await;
        self.set_token(None);
        *self.cookie_session.borrow_mut() = false;
        result
    }

    pub async fn me(&self) -> Result<Me> {
        self.call::<(), _>(Method::Get, "/api/v1/auth/me", None).await
    }

    pub async fn list_assets(&self, project_id: Uuid) -> Result<Vec<Asset>> {
        self.call::<(), _>(Method::Get, &format!("/api/v1/projects/{project_id}/assets"), None).await
    }

    pub async fn get_asset(&self, id: Uuid) -> Result<Asset> {
        self.call::<(), _>(Method::Get, &format!("/api/v1/assets/{id}"), None).await
    }

    pub async fn update_asset(&self, id: Uuid, changes: &UpdateAsset) -> Result<Asset> {
        self.call(Method::Patch, &format!("/api/v1/assets/{id}"), Some(changes)).await
    }

    pub async fn delete_asset(&self, id: Uuid) -> Result<()> {
        self.call_empty::<()>(Method::Delete, &format!("/api/v1/assets/{id}"), None).await
    }

    pub async fn asset_versions(&self, id: Uuid) -> Result<Vec<AssetVersion>> {
        self.call::<(), _>(Method::Get, &format!("/api/v1/assets/{id}/versions"), None).await
    }

    /// A time-limited link to download the original of `version` (the current one if `None`).
    pub async fn asset_download(&self, id: Uuid, version: Option<i32>) -> Result<FileLink> {
        let path = with_query(&format!("/api/v1/assets/{id}/download"), &LinkQuery { version })?;
        self.call::<(), _>(Method::Get, &path, None).await
    }

    pub async fn reprocess_asset(&self, id: Uuid) -> Result<Asset> {
        self.call::<(), _>(Method::Post, &format!("/api/v1/assets/{id}/process"), None).await
    }

    pub async fn presign_asset(&self, project_id: Uuid, request: &PresignUpload) -> Result<PresignedUpload> {
        self.call(Method::Post, &format!("/api/v1/projects/{project_id}/assets/presign"), Some(request)).await
    }

    pub async fn complete_asset(&self, id: Uuid) -> Result<Asset> {
        self.call::<(), _>(Method::Post, &format!("/api/v1/assets/{id}/complete"), None).await
    }

    pub async fn list_templates(&self) -> Result<Vec<Template>> {
        self.call::<(), _>(Method::Get, "/api/v1/templates", None).await
    }

    /// Queues a build of a project's game; it is made by the server's job queue.
    pub async fn create_build(&self, project_id: Uuid, request: &CreateBuild) -> Result<Build> {
        self.call(Method::Post, &format!("/api/v1/projects/{project_id}/builds"), Some(request)).await
    }

    pub async fn list_builds(&self, project_id: Uuid, query: &BuildQuery) -> Result<Page<Build>> {
        let path = with_query(&format!("/api/v1/projects/{project_id}/builds"), query)?;
        self.call::<(), _>(Method::Get, &path, None).await
    }

    /// A build, with a fresh preview link when it is ready.
    pub async fn get_build(&self, id: Uuid) -> Result<Build> {
        self.call::<(), _>(Method::Get, &format!("/api/v1/builds/{id}"), None).await
    }

    pub async fn delete_build(&self, id: Uuid) -> Result<()> {
        self.call_empty::<()>(Method::Delete, &format!("/api/v1/builds/{id}"), None).await
    }

    /// Addresses proposed for a project's game, each with whether it is available.
    pub async fn generate_urls(&self, project_id: Uuid) -> Result<SlugProposals> {
        self.call::<(), _>(Method::Post, &format!("/api/v1/projects/{project_id}/urls/generate"), None).await
    }

    pub async fn check_url(&self, slug: &str) -> Result<SlugCheck> {
        let path = with_query("/api/v1/urls/check", &SlugQuery { slug: slug.to_owned() })?;
        self.call::<(), _>(Method::Get, &path, None).await
    }

    /// Reserves `slug` for the project's game; a 409 problem carries available `alternatives`.
    pub async fn reserve_url(&self, project_id: Uuid, slug: &str) -> Result<GameUrl> {
        self.call(Method::Post, &format!("/api/v1/projects/{project_id}/urls"), Some(&ReserveUrl { slug: slug.to_owned() })).await
    }

    pub async fn list_urls(&self, query: &UrlQuery) -> Result<Page<UrlListItem>> {
        let path = with_query("/api/v1/urls", query)?;
        self.call::<(), _>(Method::Get, &path, None).await
    }

    pub async fn get_url(&self, id: Uuid) -> Result<GameUrl> {
        self.call::<(), _>(Method::Get, &format!("/api/v1/urls/{id}"), None).await
    }

    pub async fn deploy_url(&self, id: Uuid, build_id: Uuid) -> Result<GameUrl> {
        self.call(Method::Post, &format!("/api/v1/urls/{id}/deploy"), Some(&DeployUrl { build_id })).await
    }

    /// Releases an address: its page answers 410 and the slug is free.
    pub async fn release_url(&self, id: Uuid) -> Result<()> {
        self.call_empty::<()>(Method::Delete, &format!("/api/v1/urls/{id}"), None).await
    }

    pub async fn url_analytics(&self, id: Uuid, days: u32) -> Result<UrlAnalytics> {
        let path = with_query(&format!("/api/v1/urls/{id}/analytics"), &AnalyticsQuery { days: Some(i64::from(days)) })?;
        self.call::<(), _>(Method::Get, &path, None).await
    }

    pub async fn list_projects(&self, query: &ProjectQuery) -> Result<Page<Project>> {
        let path = with_query("/api/v1/projects", query)?;
        self.call::<(), _>(Method::Get, &path, None).await
    }

    pub async fn project_stats(&self) -> Result<ProjectStats> {
        self.call::<(), _>(Method::Get, "/api/v1/projects/stats", None).await
    }

    pub async fn get_project(&self, id: Uuid) -> Result<ProjectDetail> {
        // Read twice from the text, as the project and as what belongs to it, rather than through
        // `ProjectDetail`'s own (flattened) deserializer: in the web app that one costs tens of
        // kilobytes of code on the first load, where every kilobyte delays the first paint.
        #[derive(serde::Deserialize)]
        struct Belongings {
            assets: Vec<Asset>,
            urls: Vec<GameUrl>,
            latest_build: Option<Build>,
        }
        let response = self.exchange::<()>(Method::Get, &format!("/api/v1/projects/{id}"), &[], None).await?;
        if !(200..300).contains(&response.status) {
            return decode(response);
        }
        let project: Project = serde_json::from_str(&response.body).map_err(|e| ClientError::Decode(e.to_string()))?;
        let rest: Belongings = serde_json::from_str(&response.body).map_err(|e| ClientError::Decode(e.to_string()))?;
        Ok(ProjectDetail { project, assets: rest.assets, urls: rest.urls, latest_build: rest.latest_build })
    }

    pub async fn create_project(&self, order: &CreateProject) -> Result<Project> {
        self.call(Method::Post, "/api/v1/projects", Some(order)).await
    }

    /// Creates a project under an `Idempotency-Key` (the shop's order number, say): retried after
    /// a timeout, it answers the project created the first time instead of making a second one.
    pub async fn create_project_idempotent(&self, order: &CreateProject, key: &str) -> Result<Project> {
        self.call_with(Method::Post, "/api/v1/projects", &[("Idempotency-Key", key.to_owned())], Some(order)).await
    }

    /// Edits a project. With `if_match` (the `version` you loaded), a project someone else changed
    /// meanwhile is refused with 409 instead of overwritten.
    pub async fn update_project(&self, id: Uuid, changes: &UpdateProject, if_match: Option<i32>) -> Result<Project> {
        let headers: Vec<(&'static str, String)> = if_match.map(|v| ("If-Match", format!("\"{v}\""))).into_iter().collect();
        self.call_with(Method::Patch, &format!("/api/v1/projects/{id}"), &headers, Some(changes)).await
    }

    pub async fn set_project_status(&self, id: Uuid, status: ProjectStatus) -> Result<Project> {
        self.call(Method::Put, &format!("/api/v1/projects/{id}/status"), Some(&SetStatus { status })).await
    }

    pub async fn set_project_assignee(&self, id: Uuid, artist_id: Option<Uuid>) -> Result<Project> {
        self.call(Method::Put, &format!("/api/v1/projects/{id}/assignee"), Some(&SetAssignee { artist_id })).await
    }

    pub async fn delete_project(&self, id: Uuid) -> Result<()> {
        self.call_empty::<()>(Method::Delete, &format!("/api/v1/projects/{id}"), None).await
    }

    /// Brings a deleted project back (admins), until the removal job purges it.
    pub async fn restore_project(&self, id: Uuid) -> Result<Project> {
        self.call::<(), _>(Method::Post, &format!("/api/v1/projects/{id}/restore"), None).await
    }

    pub async fn project_activity(&self, id: Uuid, query: &CursorQuery) -> Result<ActivityPage> {
        let path = with_query(&format!("/api/v1/projects/{id}/activity"), query)?;
        self.call::<(), _>(Method::Get, &path, None).await
    }

    pub async fn list_users(&self, query: &UserQuery) -> Result<Page<User>> {
        let path = with_query("/api/v1/users", query)?;
        self.call::<(), _>(Method::Get, &path, None).await
    }

    pub async fn create_user(&self, user: &CreateUser) -> Result<User> {
        self.call(Method::Post, "/api/v1/users", Some(user)).await
    }

    pub async fn update_user(&self, id: Uuid, changes: &UpdateUser) -> Result<User> {
        self.call(Method::Patch, &format!("/api/v1/users/{id}"), Some(changes)).await
    }

    pub async fn list_api_tokens(&self) -> Result<Vec<ApiToken>> {
        self.call::<(), _>(Method::Get, "/api/v1/api-tokens", None).await
    }

    pub async fn create_api_token(&self, token: &CreateApiToken) -> Result<CreatedApiToken> {
        self.call(Method::Post, "/api/v1/api-tokens", Some(token)).await
    }

    pub async fn delete_api_token(&self, id: Uuid) -> Result<()> {
        self.call_empty::<()>(Method::Delete, &format!("/api/v1/api-tokens/{id}"), None).await
    }

    pub async fn set_user_role(&self, id: Uuid, role: &SetRole) -> Result<User> {
        self.call(Method::Put, &format!("/api/v1/users/{id}/role"), Some(role)).await
    }

    /// The activity feed (filtered, paged by `before`, or what came `after` the last entry seen).
    pub async fn list_activity(&self, query: &ActivityQuery) -> Result<ActivityPage> {
        let path = with_query("/api/v1/activity", query)?;
        self.call::<(), _>(Method::Get, &path, None).await
    }

    pub async fn list_notifications(&self, query: &NotificationQuery) -> Result<NotificationPage> {
        let path = with_query("/api/v1/notifications", query)?;
        self.call::<(), _>(Method::Get, &path, None).await
    }

    pub async fn unread_count(&self) -> Result<UnreadCount> {
        self.call::<(), _>(Method::Get, "/api/v1/notifications/unread-count", None).await
    }

    pub async fn read_notification(&self, id: Uuid) -> Result<Notification> {
        self.call::<(), _>(Method::Post, &format!("/api/v1/notifications/{id}/read"), None).await
    }

    pub async fn read_all_notifications(&self) -> Result<UnreadCount> {
        self.call::<(), _>(Method::Post, "/api/v1/notifications/read-all", None).await
    }

    /// The web app's uncaught error, for the error-report service.
    pub async fn report_client_error(&self, report: &ClientErrorReport) -> Result<()> {
        self.call_empty(Method::Post, "/api/v1/client-errors", Some(report)).await
    }

    /// A manager's message to one person.
    pub async fn send_notification(&self, message: &SendNotification) -> Result<Notification> {
        self.call(Method::Post, "/api/v1/notifications", Some(message)).await
    }

    pub async fn notification_preferences(&self) -> Result<EmailPreferences> {
        self.call::<(), _>(Method::Get, "/api/v1/notifications/preferences", None).await
    }

    pub async fn update_notification_preferences(&self, changes: &UpdateEmailPreferences) -> Result<EmailPreferences> {
        self.call(Method::Patch, "/api/v1/notifications/preferences", Some(changes)).await
    }

    pub async fn list_webhooks(&self) -> Result<Vec<WebhookEndpoint>> {
        self.call::<(), _>(Method::Get, "/api/v1/webhooks", None).await
    }

    /// Registers an endpoint; the answer's `secret` is shown this once.
    pub async fn create_webhook(&self, endpoint: &CreateWebhookEndpoint) -> Result<CreatedWebhookEndpoint> {
        self.call(Method::Post, "/api/v1/webhooks", Some(endpoint)).await
    }

    pub async fn get_webhook(&self, id: Uuid) -> Result<WebhookEndpoint> {
        self.call::<(), _>(Method::Get, &format!("/api/v1/webhooks/{id}"), None).await
    }

    pub async fn update_webhook(&self, id: Uuid, changes: &UpdateWebhookEndpoint) -> Result<WebhookEndpoint> {
        self.call(Method::Patch, &format!("/api/v1/webhooks/{id}"), Some(changes)).await
    }

    pub async fn delete_webhook(&self, id: Uuid) -> Result<()> {
        self.call_empty::<()>(Method::Delete, &format!("/api/v1/webhooks/{id}"), None).await
    }

    /// A new secret; the old one keeps signing beside it for 24 hours.
    pub async fn rotate_webhook_secret(&self, id: Uuid) -> Result<RotatedSecret> {
        self.call::<(), _>(Method::Post, &format!("/api/v1/webhooks/{id}/rotate-secret"), None).await
    }

    pub async fn test_webhook(&self, id: Uuid) -> Result<WebhookDelivery> {
        self.call::<(), _>(Method::Post, &format!("/api/v1/webhooks/{id}/test"), None).await
    }

    pub async fn list_webhook_deliveries(&self, id: Uuid, query: &DeliveryQuery) -> Result<Page<WebhookDelivery>> {
        let path = with_query(&format!("/api/v1/webhooks/{id}/deliveries"), query)?;
        self.call::<(), _>(Method::Get, &path, None).await
    }

    pub async fn resend_webhook_delivery(&self, id: Uuid, delivery_id: Uuid) -> Result<WebhookDelivery> {
        self.call::<(), _>(Method::Post, &format!("/api/v1/webhooks/{id}/deliveries/{delivery_id}/resend"), None).await
    }

    /// The e-mail outbox (admins).
    pub async fn list_emails(&self, query: &EmailQuery) -> Result<Page<OutboxEmail>> {
        let path = with_query("/api/v1/emails", query)?;
        self.call::<(), _>(Method::Get, &path, None).await
    }
}

fn with_query<Q: Serialize>(path: &str, query: &Q) -> Result<String> {
    let qs = serde_urlencoded::to_string(query).map_err(|e| ClientError::Decode(e.to_string()))?;
    Ok(if qs.is_empty() { path.to_owned() } else { format!("{path}?{qs}") })
}

fn decode<R: DeserializeOwned>(response: HttpResponse) -> Result<R> {
    if (200..300).contains(&response.status) {
        let body = if response.body.trim().is_empty() { "null" } else { &response.body };
        return serde_json::from_str(body).map_err(|e| ClientError::Decode(e.to_string()));
    }
    match serde_json::from_str::<Problem>(&response.body) {
        Ok(problem) => Err(ClientError::Api(Box::new(problem))),
        Err(_) => Err(ClientError::Api(Box::new(Problem {
            kind: "about:blank".into(),
            title: format!("HTTP {}", response.status),
            status: response.status,
            detail: None,
            errors: vec![],
            alternatives: None,
        }))),
    }
}
