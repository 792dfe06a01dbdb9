//! A TCP proxy the test controls, between the replicas and PostgreSQL or Redis: `down` cuts every
//! connection and refuses new ones, as a server that stopped; `up` accepts again on the same port,
//! as one that came back. The machine's own servers are never touched.

use std::sync::Mutex;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

pub struct Proxy {
    pub port: u16,
    target: String,
    serving: Mutex<Option<JoinHandle<()>>>,
}

impl Proxy {
    /// Forwards a free local port to `target` (host:port).
    pub async fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = Proxy { port, target: target.to_owned(), serving: Mutex::new(None) };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let target = self.target.clone();
        let task = tokio::spawn(async move {
            // Dropped with this task on `down`: every connection ends with it.
            let mut connections = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                connections.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        *self.serving.lock().unwrap() = Some(task);
    }

    pub async fn down(&self) {
        let task = self.serving.lock().unwrap().take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }

    pub async fn up(&self) {
        for _ in 0..50 {
            if let Ok(listener) = TcpListener::bind(("127.0.0.1", self.port)).await {
                self.serve(listener);
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("port {} could not be taken again", self.port);
    }
}

/// `host:port` of a `scheme://[user@]host:port/...` URL.
pub fn address_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap().to_owned()
}

/// `url` with its host:port replaced by 127.0.0.1:`port`.
pub fn through(url: &str, port: u16) -> String {
    url.replacen(&address_of(url), &format!("127.0.0.1:{port}"), 1)
}
