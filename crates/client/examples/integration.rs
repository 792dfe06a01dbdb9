//! What an integration (the shop, say) does with PetPixel Studio, in two commands:
//!
//! ```text
//! # Take an order in with an API token: created once however often it is retried.
//! PETPIXEL_URL=http://127.0.0.1:3000 PETPIXEL_API_TOKEN=ppx_... \
//!   cargo run -p petpixel-client --features native --example integration -- order ORDER-1001
//!
//! # Receive the studio's webhooks and check their signatures.
//! PETPIXEL_WEBHOOK_SECRET=whsec_... \
//!   cargo run -p petpixel-client --features native --example integration -- receive 9000
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use petpixel_client::native::Native;
use petpixel_client::{webhooks, Client, ClientError};
use petpixel_types::project::{CreateProject, ProjectQuery, ProjectStatus};
use petpixel_types::webhook::WebhookMessage;
use serde_json::json;

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base = std::env::var("PETPIXEL_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into());
    let result = match args.first().map(String::as_str) {
        Some("order") => match env("PETPIXEL_API_TOKEN") {
            Ok(token) => {
                order(&base, &token, &args.get(1).cloned().unwrap_or_else(|| format!("ORDER-{}", uuid::Uuid::now_v7().simple()))).await
            }
            Err(e) => Err(e),
        },
        Some("receive") => match (env("PETPIXEL_WEBHOOK_SECRET"), tokio::net::TcpListener::bind(("127.0.0.1", port(&args))).await) {
            (Ok(secret), Ok(listener)) => receive(listener, secret).await,
            (Err(e), _) => Err(e),
            (_, Err(e)) => Err(format!("cannot listen on port {}: {e}", port(&args))),
        },
        _ => Err("usage: integration order [ORDER-ID] | integration receive [PORT]".into()),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn port(args: &[String]) -> u16 {
    args.get(1).and_then(|p| p.parse().ok()).unwrap_or(9000)
}

/// Logs in with an API token, creates a project under the order's idempotency key (twice, as a
/// shop retrying after a timeout would: one project), lists, moves it on, and shows a 422.
pub async fn order(base: &str, token: &str, order_id: &str) -> Result<(), String> {
    let client = Client::new(Native::new(base));
    client.set_token(Some(token.to_owned()));
    let me = client.me().await.map_err(|e| e.to_string())?;
    println!("logged in as {} ({})", me.user.email, me.user.role);

    let order: CreateProject = serde_json::from_value(json!({
        "customer_name": "Sunny Lee",
        "customer_email": "sunny@example.com",
        "pet_name": "Buttercup",
        "package_type": "custom",
        "game_config": { "theme": "space adventure", "difficulty": "easy", "features": ["leaderboard"] },
        "notes": format!("Shop order {order_id}"),
    }))
    .map_err(|e| e.to_string())?;
    let created = client.create_project_idempotent(&order, order_id).await.map_err(|e| e.to_string())?;
    let retried = client.create_project_idempotent(&order, order_id).await.map_err(|e| e.to_string())?;
    println!(
        "created project {} for {}; retried: {}",
        created.id,
        created.pet_name,
        if retried.id == created.id { "same project" } else { "A SECOND PROJECT" }
    );

    let page = client.list_projects(&ProjectQuery::default()).await.map_err(|e| e.to_string())?;
    println!("{} projects in all; first page has {}", page.total, page.items.len());
    let moved = client.set_project_status(created.id, ProjectStatus::InProgress).await.map_err(|e| e.to_string())?;
    println!("status: {}", moved.status);

    let mut bad = order.clone();
    bad.customer_email = "not an address".into();
    match client.create_project(&bad).await {
        Err(ClientError::Api(problem)) => {
            let fields: Vec<&str> = problem.errors.iter().map(|e| e.field.as_str()).collect();
            println!("refused with {}: {} ({})", problem.status, problem.title, fields.join(", "));
        }
        other => return Err(format!("expected a 422, got {other:?}")),
    }
    Ok(())
}

/// Prints each delivery whose signature and timestamp verify; refuses the others with 400.
pub async fn receive(listener: tokio::net::TcpListener, secret: String) -> Result<(), String> {
    let hook = move |headers: HeaderMap, body: Bytes| {
        let secret = secret.clone();
        async move {
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
            let now = i64::try_from(now).unwrap_or(i64::MAX);
            let id = header("webhook-id");
            match webhooks::verify_delivery(&secret, &id, &header("webhook-timestamp"), &header("webhook-signature"), &body, now) {
                Ok(()) => {
                    let message: Result<WebhookMessage, _> = serde_json::from_slice(&body);
                    match message {
                        Ok(m) => println!("verified {} {id}: {}", m.event_type, m.data),
                        Err(e) => println!("verified {id}, but the body is not a webhook message: {e}"),
                    }
                    StatusCode::NO_CONTENT
                }
                Err(refusal) => {
                    println!("refused {id}: {refusal}");
                    StatusCode::BAD_REQUEST
                }
            }
        }
    };
    let app = axum::Router::new().fallback(axum::routing::post(hook));
    let at = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{at}/ (register http://{at}/hook)");
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}
