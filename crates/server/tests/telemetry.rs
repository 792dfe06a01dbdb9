//! Traces and error reports, each to a receiver of its own on this machine: an OTLP/HTTP endpoint
//! (JSON) and a Sentry-compatible one. Its own test binary, so that the subscriber it installs
//! (with both exporters) is the only one the process has.

#[allow(dead_code)]
#[path = "api/support.rs"]
mod support;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use petpixel_server::config::{Otlp, OtlpProtocol};
use petpixel_server::jobs::Worker;
use petpixel_server::telemetry;
use petpixel_types::Role;
use serde_json::{json, Value};

use support::TestApp;

/// What the receivers were sent, by path.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(String, Bytes)>>>);

impl Received {
    fn bodies(&self, prefix: &str) -> Vec<Bytes> {
        self.0.lock().unwrap().iter().filter(|(path, _)| path.starts_with(prefix)).map(|(_, body)| body.clone()).collect()
    }
}

struct Setup {
    received: Received,
    guard: Mutex<Option<telemetry::Guard>>,
}

/// The receivers (on a thread of their own, so they outlive each test's runtime) and the
/// process's telemetry, pointed at them. Once per process.
fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let received = Received::default();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = received.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: Bytes| {
                    let sink = sink.clone();
                    async move {
                        sink.0.lock().unwrap().push((uri.path().to_owned(), body));
                        (StatusCode::OK, "{}")
                    }
                });
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        let mut config = petpixel_server::config::Config::for_tests(std::env::temp_dir(), "sqlite::memory:");
        config.otlp =
            Some(Otlp { endpoint: format!("http://127.0.0.1:{port}"), protocol: OtlpProtocol::Json, service_name: "petpixel-test".into() });
        config.sentry_dsn = Some(secrecy::SecretString::from(format!("http://public@127.0.0.1:{port}/42")));
        // Outside any runtime: the exporters run clients of their own.
        let guard = std::thread::spawn(move || telemetry::init(&config).unwrap()).join().unwrap();
        Setup { received, guard: Mutex::new(Some(guard)) }
    })
}

/// Every span the OTLP receiver was sent, flattened: (trace id, span id, parent span id, name,
/// attributes, links' trace ids).
fn spans(setup: &Setup) -> Vec<Value> {
    let mut out = Vec::new();
    for body in setup.received.bodies("/v1/traces") {
        let export: Value = serde_json::from_slice(&body).unwrap();
        for resource in export["resourceSpans"].as_array().into_iter().flatten() {
            for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                out.extend(scope["spans"].as_array().into_iter().flatten().cloned());
            }
        }
    }
    out
}

fn attribute<'a>(span: &'a Value, key: &str) -> Option<&'a Value> {
    span["attributes"].as_array()?.iter().find(|a| a["key"] == key).map(|a| &a["value"])
}

async fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(found) = check() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not arrive");
}

#[tokio::test]
async fn a_request_its_service_and_queries_and_the_job_it_queued_are_traced() {
    let setup = setup();
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let project = app.project(&manager.token, json!({ "pet_name": "Traced" })).await;
    let id = project["id"].as_str().unwrap();
    // A photo: its upload queues the job that processes it.
    let photo =
        petpixel_server::assets::demo::jpeg(&petpixel_server::assets::demo::photo([200, 140, 60], [120, 180, 240], [80, 170, 70], 64));
    let reply = support_upload(&app, id, &manager.token, &photo).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let worker = Worker::new(app.state.clone(), petpixel_server::app::job_registry());
    while worker.run_once().await.unwrap().is_some() {}
    telemetry::flush(setup.guard.lock().unwrap().as_ref().unwrap());

    let spans = until("the upload's spans", || {
        let spans = spans(setup);
        spans.iter().any(|s| s["name"] == "job").then_some(spans)
    })
    .await;
    let upload = spans
        .iter()
        .find(|s| s["name"] == "request" && attribute(s, "path").is_some_and(|p| p["stringValue"].as_str().unwrap().ends_with("/assets")))
        .unwrap_or_else(|| panic!("no request span for the upload in {spans:#?}"));
    let trace = upload["traceId"].as_str().unwrap();
    let in_trace: Vec<&Value> = spans.iter().filter(|s| s["traceId"] == trace).collect();
    let service = in_trace
        .iter()
        .find(|s| s["name"] == "assets.upload" && s["parentSpanId"] == upload["spanId"])
        .unwrap_or_else(|| panic!("no service span under the request: {in_trace:#?}"));
    let query = in_trace.iter().find(|s| attribute(s, "db.system").is_some());
    let query = query.unwrap_or_else(|| panic!("no query span in the request's trace: {in_trace:#?}"));
    // The query is below the service (directly or through another span of this trace).
    let mut parent = query["parentSpanId"].clone();
    while parent != service["spanId"] {
        let up = in_trace.iter().find(|s| s["spanId"] == parent).unwrap_or_else(|| panic!("the query is not under the service"));
        parent = up["parentSpanId"].clone();
    }
    let job = spans.iter().find(|s| s["name"] == "job" && attribute(s, "job.kind").is_some_and(|k| k["stringValue"] == "assets.process"));
    let job = job.unwrap_or_else(|| panic!("no span for the processing job: {spans:#?}"));
    let links: Vec<&str> = job["links"].as_array().into_iter().flatten().filter_map(|l| l["traceId"].as_str()).collect();
    assert_eq!(links, [trace], "the job links to the request that queued it");
    // No customer data in any span: the order's contact and the pet's name stay out.
    let everything = serde_json::to_string(&spans).unwrap();
    assert!(!everything.contains("Traced") && !everything.contains("sunny@example.com"), "customer data in a span");
}

async fn support_upload(app: &TestApp, project: &str, token: &str, bytes: &[u8]) -> support::Reply {
    const BOUNDARY: &str = "telemetry-boundary";
    let mut body = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"asset_type\"\r\n\r\nphoto\r\n").into_bytes();
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"pet.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/projects/{project}/assets"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(request).await
}

/// Sentry's envelopes: one JSON header line, then (item header, item) line pairs. The events.
fn events(setup: &Setup) -> Vec<Value> {
    let mut out = Vec::new();
    for body in setup.received.bodies("/api/42/envelope") {
        let text = String::from_utf8_lossy(&body).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        for pair in lines[1..].chunks(2) {
            if let [header, item] = pair {
                let header: Value = serde_json::from_str(header).unwrap_or_default();
                if header["type"] == "event" {
                    out.push(serde_json::from_str(item).unwrap());
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn server_errors_and_the_web_apps_reach_the_error_service_without_customer_data() {
    let setup = setup();
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let project = app.project(&manager.token, json!({ "pet_name": "Reported", "customer_email": "private.person@example.com" })).await;
    let id = project["id"].as_str().unwrap().to_owned();
    // A server error: the table its read needs is gone.
    use sea_orm::ConnectionTrait;
    app.state.db.conn.execute_unprepared("ALTER TABLE project_assets RENAME TO project_assets_gone").await.unwrap();
    app.state.caches.project_details.forget_all();
    let failed = app.get(&format!("/api/v1/projects/{id}"), &manager.token).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    // The web app's: a message naming a customer, on a page with a search in its query.
    let web = app
        .post(
            "/api/v1/client-errors",
            &manager.token,
            json!({ "message": "TypeError: cannot read 'x' of private.person@example.com", "stack": "at draw (app.js:1:2)", "page": "https://studio.example/projects?q=private.person@example.com" }),
        )
        .await;
    assert_eq!(web.status, StatusCode::ACCEPTED, "{:?}", web.body);
    let bad = app.post("/api/v1/client-errors", &manager.token, json!({ "message": "" })).await;
    assert_eq!((bad.status, bad.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["message".to_owned()]));
    let anonymous = app.request(Method::POST, "/api/v1/client-errors", None, Some(json!({ "message": "x" }))).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    telemetry::flush(setup.guard.lock().unwrap().as_ref().unwrap());

    let events = until("both error reports", || {
        let events = events(setup);
        (events.iter().any(|e| e["tags"]["source"] == "web") && events.iter().any(|e| e["tags"]["source"] != "web")).then_some(events)
    })
    .await;
    let server = events.iter().find(|e| e["tags"]["source"] != "web").unwrap();
    let text = server.to_string();
    assert!(text.contains("project_assets"), "the server's error says what failed: {server:#}");
    let web = events.iter().find(|e| e["tags"]["source"] == "web").unwrap();
    assert_eq!(web["tags"]["page"], "https://studio.example/projects", "{web:#}");
    assert!(web["message"].as_str().is_some_and(|m| m.contains("TypeError") && m.contains("[email]")), "{web:#}");
    for event in &events {
        let text = event.to_string();
        assert!(!text.contains("private.person"), "an address in a report: {event:#}");
        assert!(!text.contains(&manager.token), "a credential in a report");
        assert!(event.get("user").is_none_or(Value::is_null), "a user in a report: {event:#}");
    }
}
