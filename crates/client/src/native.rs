//! The native transport: reqwest over rustls, against a server's base URL. For integrations
//! (the shop, scripts) and the example program; the web app uses [`crate::web::Fetch`].
//!
//! ```no_run
//! # async fn demo() -> petpixel_client::Result<()> {
//! use petpixel_client::{native::Native, Client};
//! let client = Client::new(Native::new("https://studio.example.com"));
//! client.set_token(Some("ppx_...".into())); // an API token
//! let me = client.me().await?;
//! # Ok(()) }
//! ```

use crate::{HttpRequest, HttpResponse, Method, Transport};

#[derive(Debug, Clone)]
pub struct Native {
    base: String,
    http: reqwest::Client,
}

impl Native {
    /// Talks to the server at `base` (`https://studio.example.com`, no trailing path).
    pub fn new(base: impl Into<String>) -> Self {
        Self::with_client(base, reqwest::Client::new())
    }

    /// With a client of your own (timeouts, proxies, a custom trust store).
    pub fn with_client(base: impl Into<String>, http: reqwest::Client) -> Self {
        Native { base: base.into().trim_end_matches('/').to_owned(), http }
    }
}

impl Transport for Native {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, String> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.http.request(method, format!("{}{}", self.base, request.path));
        if let Some(token) = &request.bearer {
            builder = builder.bearer_auth(token);
        }
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if let Some(json) = request.json {
            builder = builder.header("content-type", "application/json").body(json);
        }
        let response = builder.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(|e| e.to_string())?;
        Ok(HttpResponse { status, body })
    }
}
