//! Notifications: who is told of what, reading them, a manager's message, e-mail choices and
//! the outbox, the deadline sweep.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use petpixel_server::entities::email_outbox;
use petpixel_server::jobs::Worker;
use petpixel_types::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::support::TestApp;

async fn outbox(app: &TestApp) -> Vec<email_outbox::Model> {
    email_outbox::Entity::find().all(&app.state.db.conn).await.unwrap()
}

#[tokio::test]
async fn assignment_status_and_mentions_notify_the_people_concerned() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let iris = app.user(Role::Artist).await;
    let theo = app.user(Role::Artist).await;
    let project = app.project(&manager.token, json!({ "pet_name": "Pip", "deadline": "2031-03-05" })).await;
    let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());

    assert_eq!(app.put(&format!("{path}/assignee"), &manager.token, json!({ "artist_id": iris.id })).await.status, StatusCode::OK);
    let mine = app.get("/api/v1/notifications", &iris.token).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.body["unread_count"], 1);
    let n = &mine.body["items"][0];
    assert_eq!(n["kind"], "assigned");
    assert_eq!(n["title"], "Test manager assigned Pip's game to you");
    assert_eq!(n["message"], "Sunny Lee's custom game, due 5 March.");
    assert_eq!(n["project_id"], project["id"]);
    assert_eq!(n["actor_id"], manager.id.to_string());
    assert_eq!(n["read"], false);
    assert_eq!(app.get("/api/v1/notifications", &manager.token).await.body["items"], json!([]), "the actor is not told");

    // Iris moves her own project: no one is told; the manager moves it: she is.
    assert_eq!(app.put(&format!("{path}/status"), &iris.token, json!({ "status": "in_progress" })).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/notifications/unread-count", &iris.token).await.body, json!({ "count": 1 }));
    assert_eq!(app.put(&format!("{path}/status"), &manager.token, json!({ "status": "review" })).await.status, StatusCode::OK);
    let latest = app.get("/api/v1/notifications?limit=1", &iris.token).await;
    assert_eq!(latest.body["items"][0]["kind"], "status_changed");
    assert_eq!(latest.body["items"][0]["title"], "Pip's game moved to Review");
    assert!(latest.body["next_cursor"].is_string());

    // Given to Theo: he hears of it, Iris hears it was taken from her.
    assert_eq!(app.put(&format!("{path}/assignee"), &manager.token, json!({ "artist_id": theo.id })).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/notifications?limit=1", &theo.token).await.body["items"][0]["kind"], "assigned");
    assert_eq!(app.get("/api/v1/notifications?limit=1", &iris.token).await.body["items"][0]["kind"], "unassigned");

    // Mentions, by name or address, each person once, only when new.
    let notes = format!("Colours agreed. @test @{} please check the sprite.", theo.email.to_uppercase());
    assert_eq!(app.patch(&path, &manager.token, json!({ "notes": notes })).await.status, StatusCode::OK);
    let theo_latest = app.get("/api/v1/notifications?limit=1", &theo.token).await;
    assert_eq!(theo_latest.body["items"][0]["kind"], "mention");
    assert!(theo_latest.body["items"][0]["message"].as_str().unwrap().contains("please check the sprite"));
    let before = app.get("/api/v1/notifications/unread-count", &theo.token).await.body["count"].clone();
    assert_eq!(app.patch(&path, &manager.token, json!({ "notes": format!("{notes} Thanks!") })).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/notifications/unread-count", &theo.token).await.body["count"], before, "an old mention is not new");

    // An order's notes mention someone from the start.
    app.project(&manager.token, json!({ "pet_name": "Fig", "notes": format!("Rush job.\nPlease take it, @{}!", iris.email) })).await;
    let told = app.get("/api/v1/notifications?limit=1", &iris.token).await;
    assert_eq!(told.body["items"][0]["kind"], "mention");
    assert_eq!(told.body["items"][0]["message"], format!("Please take it, @{}!", iris.email), "the line that mentions");
}

#[tokio::test]
async fn reading_notifications() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    for title in ["One", "Two", "Three"] {
        let sent = app.post("/api/v1/notifications", &manager.token, json!({ "user_id": artist.id, "title": title })).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
        assert_eq!(sent.body["kind"], "message");
    }
    let page = app.get("/api/v1/notifications?unread=true", &artist.token).await;
    let titles: Vec<_> = page.body["items"].as_array().unwrap().iter().map(|n| n["title"].clone()).collect();
    assert_eq!(titles, vec![json!("Three"), json!("Two"), json!("One")], "newest first");
    let first = page.body["items"][0]["id"].as_str().unwrap().to_owned();

    let read = app.post(&format!("/api/v1/notifications/{first}/read"), &artist.token, json!({})).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["read"], true);
    assert!(read.body["read_at"].is_string());
    assert_eq!(app.get("/api/v1/notifications/unread-count", &artist.token).await.body["count"], 2);
    assert_eq!(app.get("/api/v1/notifications?unread=false", &artist.token).await.body["items"].as_array().unwrap().len(), 1);
    // Someone else's notification is not found, not readable.
    assert_eq!(app.post(&format!("/api/v1/notifications/{first}/read"), &manager.token, json!({})).await.status, StatusCode::NOT_FOUND);

    let all = app.post("/api/v1/notifications/read-all", &artist.token, json!({})).await;
    assert_eq!((all.status, all.body.clone()), (StatusCode::OK, json!({ "count": 0 })));
    assert_eq!(app.get("/api/v1/notifications/unread-count", &artist.token).await.body["count"], 0);

    let bad = app.get("/api/v1/notifications?limit=0", &artist.token).await;
    assert_eq!((bad.status, bad.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["limit".to_string()]));
}

#[tokio::test]
async fn only_managers_send_messages_and_only_to_active_people() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let refused = app.post("/api/v1/notifications", &artist.token, json!({ "user_id": manager.id, "title": "Hi" })).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.is_problem());
    let nobody = app.post("/api/v1/notifications", &manager.token, json!({ "user_id": uuid::Uuid::now_v7(), "title": "Hi" })).await;
    assert_eq!((nobody.status, nobody.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["user_id".to_string()]));
    let blank = app.post("/api/v1/notifications", &manager.token, json!({ "user_id": artist.id, "title": "  " })).await;
    assert_eq!((blank.status, blank.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["title".to_string()]));
    let no_project = app
        .post("/api/v1/notifications", &manager.token, json!({ "user_id": artist.id, "title": "Hi", "project_id": uuid::Uuid::now_v7() }))
        .await;
    assert_eq!(no_project.error_fields(), vec!["project_id".to_string()]);
    assert_eq!(app.get("/api/v1/notifications/unread-count", &artist.token).await.body["count"], 0, "nothing half-written");
    // The message is in the activity log.
    let sent = app.post("/api/v1/notifications", &manager.token, json!({ "user_id": artist.id, "title": "Well done" })).await;
    let feed = app.get("/api/v1/activity?resource_type=notification", &manager.token).await;
    assert_eq!(feed.body["items"][0]["action"], "notification.sent");
    assert_eq!(feed.body["items"][0]["resource_id"], sent.body["id"]);
}

#[tokio::test]
async fn email_choices_decide_what_reaches_the_outbox() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let defaults = app.get("/api/v1/notifications/preferences", &artist.token).await;
    assert_eq!(
        defaults.body,
        json!({ "assigned": true, "unassigned": false, "status_changed": false, "mention": true, "deadline": true, "message": true, "webhook_disabled": true, "mention_not_sent": false })
    );
    app.post(
        "/api/v1/notifications",
        &manager.token,
        json!({ "user_id": artist.id, "title": "Lunch at one", "message": "Bring the sketches." }),
    )
    .await;
    let queued = outbox(&app).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (queued[0].to_address.as_str(), queued[0].subject.as_str(), queued[0].status.as_str()),
        (artist.email.as_str(), "Lunch at one", "pending")
    );
    assert!(queued[0].body.starts_with("Bring the sketches."));

    let changed = app.patch("/api/v1/notifications/preferences", &artist.token, json!({ "message": false, "status_changed": true })).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(
        (changed.body["message"].clone(), changed.body["status_changed"].clone(), changed.body["assigned"].clone()),
        (json!(false), json!(true), json!(true))
    );
    let unknown = app.patch("/api/v1/notifications/preferences", &artist.token, json!({ "carrier_pigeon": true })).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.post("/api/v1/notifications", &manager.token, json!({ "user_id": artist.id, "title": "Not e-mailed" })).await;
    assert_eq!(outbox(&app).await.len(), 1, "the person chose no e-mail for messages");

    // No SMTP server configured: the job holds the message for admins to read.
    let worker = Worker::new(app.state.clone(), petpixel_server::app::job_registry());
    while worker.run_once().await.unwrap().is_some() {}
    assert_eq!(outbox(&app).await[0].status, "held");
    let listed = app.get("/api/v1/emails?status=held", &admin.token).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["total"], 1);
    assert_eq!(listed.body["items"][0]["subject"], "Lunch at one");
    assert_eq!(app.get("/api/v1/emails", &manager.token).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn deadlines_are_reminded_once_48_hours_ahead() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let now = Utc::now();
    let today = now.date_naive();
    let mut ids = Vec::new();
    for (pet, days) in [("Soon", 1), ("Later", 5), ("Today", 0)] {
        let p = app.project(&manager.token, json!({ "pet_name": pet, "deadline": (today + Duration::days(days)).to_string() })).await;
        let id = p["id"].as_str().unwrap().to_owned();
        app.put(&format!("/api/v1/projects/{id}/assignee"), &manager.token, json!({ "artist_id": artist.id })).await;
        ids.push(id);
    }
    // Unassigned or finished projects remind no one.
    app.project(&manager.token, json!({ "pet_name": "Nobody's", "deadline": today.to_string() })).await;
    app.post("/api/v1/notifications/read-all", &artist.token, json!({})).await;

    assert_eq!(petpixel_server::notifications::deadline::remind(&app.state, now).await.unwrap(), 2);
    assert_eq!(petpixel_server::notifications::deadline::remind(&app.state, now).await.unwrap(), 0, "once");
    let page = app.get("/api/v1/notifications?unread=true", &artist.token).await;
    let mut titles: Vec<_> = page.body["items"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap().to_owned()).collect();
    titles.sort();
    assert_eq!(titles, vec!["Soon's game is due tomorrow".to_string(), "Today's game is due today".to_string()]);
    assert!(page.body["items"].as_array().unwrap().iter().all(|n| n["kind"] == "deadline" && n["actor_id"].is_null()));
    // A moved deadline is reminded of again.
    app.patch(&format!("/api/v1/projects/{}", ids[1]), &manager.token, json!({ "deadline": (today + Duration::days(2)).to_string() }))
        .await;
    assert_eq!(petpixel_server::notifications::deadline::remind(&app.state, now).await.unwrap(), 1);
    // So is a new artist.
    let newcomer = app.user(Role::Artist).await;
    app.put(&format!("/api/v1/projects/{}/assignee", ids[0]), &manager.token, json!({ "artist_id": newcomer.id })).await;
    assert_eq!(petpixel_server::notifications::deadline::remind(&app.state, now).await.unwrap(), 1);
    let kinds = app.get("/api/v1/notifications", &newcomer.token).await;
    assert_eq!(kinds.body["items"][0]["title"], "Soon's game is due tomorrow");
    let emailed = email_outbox::Entity::find().filter(email_outbox::Column::Subject.contains("due")).all(&app.state.db.conn).await.unwrap();
    assert_eq!(emailed.len(), 4, "deadline reminders are e-mailed by default");
}

#[tokio::test]
async fn the_outbox_sends_over_smtp_and_retries_a_failed_send() {
    if !crate::smtp::available() {
        return;
    }
    let port = crate::smtp::free_port();
    let app = TestApp::with_config(|c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        c.job_retry_base = std::time::Duration::ZERO;
    })
    .await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    app.post("/api/v1/notifications", &manager.token, json!({ "user_id": artist.id, "title": "Sprites approved", "message": "Ship it." }))
        .await;
    let worker = Worker::new(app.state.clone(), petpixel_server::app::job_registry());

    // No server listening yet: the try fails, is recorded, and the job waits for its retry.
    worker.run_once().await.unwrap();
    let row = outbox(&app).await.remove(0);
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert!(row.last_error.is_some());

    let sink = crate::smtp::Sink::start(port).await;
    worker.run_once().await.unwrap();
    let received = sink.wait_for(1, std::time::Duration::from_secs(5)).await;
    assert_eq!(received.len(), 1);
    assert!(received[0].contains("Subject: Sprites approved"), "{}", received[0]);
    assert!(received[0].contains(&format!("To: {}", artist.email)), "{}", received[0]);
    assert!(received[0].contains("Ship it."), "{}", received[0]);
    let row = outbox(&app).await.remove(0);
    assert_eq!((row.status.as_str(), row.attempts, row.last_error), ("sent", 2, None));
    assert!(row.sent_at.is_some());
    assert_eq!(worker.run_once().await.unwrap(), None, "nothing is sent twice");
    assert_eq!(sink.messages().len(), 1);
}

/// Mentions are capped: per save (`PETPIXEL_MENTIONS_PER_SAVE`) and, with messages, per author
/// and hour (`PETPIXEL_NOTIFICATIONS_PER_AUTHOR_HOUR`); a mention naming several people tells no
/// one. The author is told which mentions reached no one, and why; a message past the hour's
/// limit is refused with 429.
#[tokio::test]
async fn mentions_are_capped_and_an_ambiguous_one_tells_no_one() {
    use petpixel_server::entities::users;
    use sea_orm::sea_query::Expr;

    let app = TestApp::with_config(|c| {
        c.mentions_per_save = 2;
        c.notifications_per_author_hour = 4;
    })
    .await;
    let manager = app.user(Role::Manager).await;
    let mut artists = Vec::new();
    for name in ["Ann", "Ann", "Bo", "Cy", "Di"] {
        let artist = app.user(Role::Artist).await;
        users::Entity::update_many()
            .col_expr(users::Column::FirstName, Expr::value(name))
            .filter(users::Column::Id.eq(artist.id))
            .exec(&app.state.db.conn)
            .await
            .unwrap();
        artists.push(artist);
    }
    let count = |token: String| {
        let app = &app;
        async move { app.get("/api/v1/notifications/unread-count", &token).await.body["count"].as_u64().unwrap() }
    };
    let project = app.project(&manager.token, json!({ "pet_name": "Moss" })).await;
    let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());

    // Two Anns: "@ann" tells neither; the author hears why.
    assert_eq!(app.patch(&path, &manager.token, json!({ "notes": "Ask @ann about the ears." })).await.status, StatusCode::OK);
    assert_eq!((count(artists[0].token.clone()).await, count(artists[1].token.clone()).await), (0, 0));
    let told = app.get("/api/v1/notifications?limit=1", &manager.token).await;
    let n = &told.body["items"][0];
    assert_eq!(n["kind"], "mention_not_sent");
    assert!(n["message"].as_str().unwrap().contains("@ann (it names 2 people"), "{n}");

    // Three in one save, two at most: Bo and Cy are told, Di is not, and the author hears of her.
    let notes = "Ask @ann about the ears. @bo @cy @di: the backdrop.";
    assert_eq!(app.patch(&path, &manager.token, json!({ "notes": notes })).await.status, StatusCode::OK);
    let told: Vec<u64> = futures::future::join_all(artists[2..].iter().map(|a| count(a.token.clone()))).await;
    assert_eq!(told, [1, 1, 0]);
    let n = &app.get("/api/v1/notifications?limit=1", &manager.token).await.body["items"][0];
    assert!(n["message"].as_str().unwrap().contains("@di (over your limit"), "{n}");

    // The hour's limit (4) counts mentions and messages alike: two more messages, then 429.
    for to in [&artists[4], &artists[4]] {
        let sent = app.post("/api/v1/notifications", &manager.token, json!({ "user_id": to.id, "title": "Hello" })).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    }
    let refused = app.post("/api/v1/notifications", &manager.token, json!({ "user_id": artists[4].id, "title": "One more" })).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", refused.body);
    assert!(refused.headers.contains_key("retry-after"));
    // And a mention past it reaches no one.
    let notes = format!("{notes} Thanks @{}!", artists[2].email);
    let before = count(artists[2].token.clone()).await;
    assert_eq!(app.patch(&path, &manager.token, json!({ "notes": notes })).await.status, StatusCode::OK);
    assert_eq!(count(artists[2].token.clone()).await, before);
    let outbox = outbox(&app).await;
    assert_eq!(outbox.iter().filter(|m| m.subject.contains("mentioned you")).count(), 2, "an e-mail per mention sent, no more");
}
