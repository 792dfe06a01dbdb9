//! An open-loop load generator for `scripts/load/games.sh`: requests at a fixed rate over a fixed
//! number of keep-alive connections, each latency measured from when its request was due (so a
//! slow answer that delays the next request counts against the next one too: no coordinated
//! omission, unlike a closed loop such as wrk's, whose latency at saturation is only the
//! connection count over the throughput).
//!
//!   cargo bench -p petpixel-server --bench game_load -- URL RATE CONNECTIONS SECONDS
//!
//! Prints `sent ok rate p50 p90 p99 p999 max` (milliseconds).

use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let [url, rate, connections, seconds] = <[String; 4]>::try_from(args).expect("URL RATE CONNECTIONS SECONDS");
    let url: hyper::Uri = url.parse().expect("a URL");
    let (rate, connections, seconds): (f64, usize, f64) = (rate.parse().unwrap(), connections.parse().unwrap(), seconds.parse().unwrap());
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(run(
        url,
        rate,
        connections,
        seconds,
    ));
}

async fn run(url: hyper::Uri, rate: f64, connections: usize, seconds: f64) {
    let start = tokio::time::Instant::now() + Duration::from_millis(200);
    let interval = Duration::from_secs_f64(connections as f64 / rate);
    let per_connection = (seconds * rate / connections as f64) as u64;
    let mut tasks = Vec::new();
    for k in 0..connections {
        let url = url.clone();
        // Connections start spread over one interval, so requests are due evenly.
        let first = start + interval.mul_f64(k as f64 / connections as f64);
        tasks.push(tokio::spawn(async move {
            let host = url.host().unwrap().to_owned();
            let port = url.port_u16().unwrap_or(80);
            let stream = tokio::net::TcpStream::connect((host.as_str(), port)).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
            tokio::spawn(connection);
            let mut latencies = Vec::with_capacity(per_connection as usize);
            let mut ok = 0u64;
            for i in 0..per_connection {
                let due = first + interval * i as u32;
                tokio::time::sleep_until(due).await;
                let request = hyper::Request::get(url.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
                    .header("host", &host)
                    .body(Empty::<Bytes>::new())
                    .unwrap();
                let response = sender.send_request(request).await.unwrap();
                let good = response.status().is_success();
                response.into_body().collect().await.unwrap();
                latencies.push(Instant::now().duration_since(due.into_std()));
                ok += u64::from(good);
            }
            (latencies, ok)
        }));
    }
    let began = Instant::now();
    let mut all = Vec::new();
    let mut ok = 0;
    for task in tasks {
        let (l, o) = task.await.unwrap();
        all.extend(l);
        ok += o;
    }
    let elapsed = began.elapsed().as_secs_f64() - 0.2;
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "{} {} {:.0} {:.2} {:.2} {:.2} {:.2} {:.2}",
        all.len(),
        ok,
        all.len() as f64 / elapsed,
        at(0.5),
        at(0.9),
        at(0.99),
        at(0.999),
        all.last().unwrap().as_secs_f64() * 1000.0
    );
}
