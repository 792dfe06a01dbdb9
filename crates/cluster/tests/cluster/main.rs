//! The production topology's own tests: nginx in front of replicas and a worker, on PostgreSQL,
//! Redis and an S3 server (s3s-fs), each test on a cluster and a database of its own. They need
//! PostgreSQL (`TEST_DATABASE_URL`) and Redis (`TEST_REDIS_URL`), and run only where both are set
//! (`.ci/run`'s second pass); then also the `petpixel` release build (`PETPIXEL_BIN`, else the
//! target dir's), nginx and s3s-fs: where one of those is missing they say so and pass, unless
//! `CI_REQUIRE_TOOLS` is set.

mod faults;
// The official Socket.IO client, driven by Node, as the API tests use it.
#[path = "../../../server/tests/api/probe.rs"]
#[allow(dead_code, reason = "the API tests use the whole client; these only part of it")]
mod probe;
mod proxy;
mod read_your_writes;
mod sockets;
mod support;
