//! After a write answers, every replica's next read returns it: the caches of the replicas that
//! did not make the change must not serve what it replaced.

use reqwest::Method;
use serde_json::json;

use crate::support::TestCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_replica_reads_what_a_write_through_the_balancer_changed() {
    let Some(t) = TestCluster::start(3).await else { return };
    let project = t.create_project("Buttercup").await;
    let id = project["id"].as_str().unwrap().to_owned();
    let detail = format!("/api/v1/projects/{id}");
    let list = "/api/v1/projects?sort=-updated_at&limit=5";
    let mut stale = Vec::new();
    for round in 0..500 {
        let notes = format!("round {round}");
        let (status, body) = t.send(Method::PATCH, &t.cluster.url, &detail, Some(json!({ "notes": notes }))).await;
        assert_eq!(status, 200, "{body}");
        // Every replica straight after the answer, each holding the previous round's project
        // and page in its caches: each read is that replica's first since the write.
        for replica in 0..t.cluster.replicas() {
            let base = t.cluster.replica_url(replica);
            for (what, path) in [("detail", detail.as_str()), ("list", list)] {
                let (status, body) = t.send(Method::GET, &base, path, None).await;
                assert_eq!(status, 200, "{body}");
                let seen = if what == "detail" { body["notes"].clone() } else { body["items"][0]["notes"].clone() };
                if seen != json!(notes) {
                    stale.push(format!("round {round}: replica {} {what} saw {seen}", replica + 1));
                }
            }
        }
    }
    assert!(stale.is_empty(), "{} stale reads in 500 rounds: {:?}", stale.len(), &stale[..stale.len().min(10)]);
}
