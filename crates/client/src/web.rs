//! The browser transport: `fetch` through gloo-net, same-origin, so the refresh cookie travels
//! with auth requests and nowhere else.

use gloo_net::http::{Method as HttpMethod, RequestBuilder};

use crate::{HttpRequest, HttpResponse, Method, Transport};

#[derive(Debug, Clone, Default)]
pub struct Fetch;

impl Transport for Fetch {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, String> {
        let method = match request.method {
            Method::Get => HttpMethod::GET,
            Method::Post => HttpMethod::POST,
            Method::Put => HttpMethod::PUT,
            Method::Patch => HttpMethod::PATCH,
            Method::Delete => HttpMethod::DELETE,
        };
        let mut builder = RequestBuilder::new(&request.path).method(method);
        if let Some(token) = &request.bearer {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let built = match request.json {
            Some(json) => builder.header("Content-Type", "application/json").body(json),
            None => builder.build(),
        }
        .map_err(|e| e.to_string())?;
        let response = built.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        Ok(HttpResponse { status, body })
    }
}
