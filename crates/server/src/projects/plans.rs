//! Every order of the list is read from an index, in every sort, either way, over all projects or
//! one status: SQLite's plan for each order's id query must use one of the list's indexes and never
//! a temporary B-tree to sort. (A sort expression and its index drifting apart fails here.)

use petpixel_types::auth::AuthMethod;
use petpixel_types::permissions::Role;
use petpixel_types::project::{ProjectQuery, SortKey};
use petpixel_types::Permissions;
use sea_orm::{ConnectionTrait, QueryTrait, Statement};
use secrecy::SecretString;

use super::service::{order_ids, page_ids};
use crate::actor::{Actor, ClientInfo};
use crate::config::Config;
use crate::customers::DataKeys;
use crate::db::Db;

#[tokio::test]
async fn every_sort_walks_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_tests(dir.path().to_owned(), "sqlite::memory:");
    let db = Db::connect(&config).await.unwrap();
    db.migrate().await.unwrap();
    let keys = DataKeys::from_config(&config, &SecretString::from("plan test secret plan test secret 0123".to_owned())).unwrap();
    let actor = Actor {
        user_id: uuid::Uuid::now_v7(),
        email: "plans@example.com".into(),
        role: Role::Admin,
        permissions: Permissions::default(),
        method: AuthMethod::Session,
        session_id: None,
        client: ClientInfo::default(),
    };
    let mut bad = Vec::new();
    for (_, name) in SortKey::ALL {
        for sort in [name.to_owned(), format!("-{name}")] {
            for status in [None, Some("in_progress")] {
                let query =
                    ProjectQuery { status: status.map(Into::into), sort: Some(sort.clone()), offset: Some(6_000), ..Default::default() };
                let filter = query.validate().unwrap();
                // The kept order's ids, and a page deeper than it.
                for statement in [order_ids(&keys, &filter, &actor, 5_000), page_ids(&keys, &filter, &actor)] {
                    let statement = statement.build(db.conn.get_database_backend());
                    let explain = Statement::from_sql_and_values(
                        db.conn.get_database_backend(),
                        format!("EXPLAIN QUERY PLAN {}", statement.sql),
                        statement.values.clone().map(|v| v.0).unwrap_or_default(),
                    );
                    let plan: Vec<String> = db
                        .conn
                        .query_all_raw(explain)
                        .await
                        .unwrap()
                        .iter()
                        .map(|row| row.try_get::<String>("", "detail").unwrap())
                        .collect();
                    let indexed = plan.iter().any(|step| step.contains("INDEX idx_projects_live_"));
                    let sorted_apart = plan.iter().any(|step| step.contains("TEMP B-TREE"));
                    if !indexed || sorted_apart {
                        bad.push(format!("sort={sort} status={status:?}: {plan:?}"));
                    }
                }
            }
        }
    }
    assert!(bad.is_empty(), "pages that do not walk an index:\n{}", bad.join("\n"));
}
