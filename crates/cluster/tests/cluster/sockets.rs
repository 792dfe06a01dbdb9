//! Sockets through the topology: a socket whose replica is killed is told (disconnect), connects
//! again through the balancer to a live one, catches up on what it missed from the activity feed
//! (`after` the last entry it heard, as the web app does) and hears what follows, whichever
//! replica made the change.

use reqwest::Method;
use serde_json::{json, Value};

use crate::probe;
use crate::support::TestCluster;

/// PATCHes the project's notes through the balancer; the activity entry's id is not in the answer,
/// so the caller learns it from the feed or a socket.
async fn note(t: &TestCluster, id: &str, notes: &str) {
    let (status, body) = t.send(Method::PATCH, &t.cluster.url, &format!("/api/v1/projects/{id}"), Some(json!({ "notes": notes }))).await;
    assert_eq!(status, 200, "{body}");
}

/// The notes each activity entry of `entries` set, oldest first.
fn notes_of(entries: &[Value]) -> Vec<String> {
    let mut notes: Vec<String> =
        entries.iter().filter_map(|e| e["details"]["changes"]["notes"]["to"].as_str().map(str::to_owned)).collect();
    notes.reverse();
    notes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_on_a_killed_replica_reconnects_through_the_balancer_and_catches_up() {
    let Some(mut t) = TestCluster::start(2).await else { return };
    let project = t.create_project("Buttercup").await;
    let id = project["id"].as_str().unwrap().to_owned();

    // On replica 1 directly, so that killing it is certain to cut this socket.
    let Some(mut on_first) = probe::start(&t.cluster.replica_url(0)).await else { return };
    on_first.connect("ann", Some(&t.token)).await.unwrap();
    assert_eq!(on_first.subscribe("ann", &id).await, json!({ "ok": true }));
    note(&t, &id, "before").await;
    let heard = on_first.event("ann", "project:updated", |d| d["notes"] == "before").await.expect("the change is heard live");
    assert_eq!(heard["id"], json!(id));
    let last = on_first.event("ann", "activity", |d| d["resource_id"] == json!(id)).await.expect("its activity entry is heard");
    let last_seen = last["id"].as_str().unwrap().to_owned();

    tokio::task::block_in_place(|| t.cluster.kill(0)).unwrap();
    assert!(on_first.disconnected("ann").await.is_some(), "the socket is told its replica is gone");
    // Changes while it is away, through the balancer (which now has one live replica).
    for n in 1..=3 {
        note(&t, &id, &format!("while away {n}")).await;
    }

    // The web app connects again to the same origin, the balancer, and catches up from the feed.
    let Some(mut again) = probe::start(&t.cluster.url).await else { return };
    again.connect("ann", Some(&t.token)).await.unwrap();
    assert_eq!(again.subscribe("ann", &id).await, json!({ "ok": true }));
    let (status, missed) =
        t.send(Method::GET, &t.cluster.url, &format!("/api/v1/activity?project_id={id}&after={last_seen}&limit=100"), None).await;
    assert_eq!(status, 200, "{missed}");
    let missed = missed["items"].as_array().unwrap();
    assert_eq!(notes_of(missed), ["while away 1", "while away 2", "while away 3"], "{missed:?}");

    // Replica 1 comes back; changes made on either replica reach the socket, and a socket on
    // the restarted replica hears them too.
    tokio::task::block_in_place(|| t.cluster.restart(0)).unwrap();
    let Some(mut restarted) = probe::start(&t.cluster.replica_url(0)).await else { return };
    restarted.connect("bob", Some(&t.token)).await.unwrap();
    assert_eq!(restarted.subscribe("bob", &id).await, json!({ "ok": true }));
    for replica in [0, 1] {
        let notes = format!("made on replica {}", replica + 1);
        let (status, body) = t
            .send(Method::PATCH, &t.cluster.replica_url(replica), &format!("/api/v1/projects/{id}"), Some(json!({ "notes": notes })))
            .await;
        assert_eq!(status, 200, "{body}");
        let live = again.event("ann", "project:updated", |d| d["notes"] == json!(notes)).await;
        assert!(live.is_some(), "the reconnected socket hears the change {notes}");
        let there = restarted.event("bob", "project:updated", |d| d["notes"] == json!(notes)).await;
        assert!(there.is_some(), "a socket on the restarted replica hears the change {notes}");
    }
    for p in [on_first, again, restarted] {
        p.close().await;
    }
}
