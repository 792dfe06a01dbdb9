//! The S3 backend, through `aws-sdk-s3` with path-style addressing, so AWS, MinIO, Garage and
//! other S3 APIs work alike. Bodies stream both ways; links are S3's own presigned URLs.

use std::time::Duration;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream as S3Body;
use aws_sdk_s3::Client;
use futures::TryStreamExt;
use secrecy::ExposeSecret;
use tokio_util::io::ReaderStream;

use super::{ByteStream, Object, ObjectKey, ObjectMeta, StorageError, StorageResult};
use crate::config::S3Config;

#[derive(Clone)]
pub struct S3Store {
    client: Client,
    bucket: String,
    /// Put before every key in the bucket (`S3_PREFIX`), and taken off the keys listed.
    prefix: String,
}

fn backend<E: std::fmt::Debug>(e: E) -> StorageError {
    StorageError::Backend(format!("{e:?}"))
}

impl S3Store {
    pub fn new(config: &S3Config) -> Self {
        let credentials = Credentials::new(
            config.access_key_id.clone(),
            config.secret_access_key.expose_secret().to_owned(),
            None,
            None,
            "petpixel-config",
        );
        let mut builder = aws_sdk_s3::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(config.region.clone()))
            .credentials_provider(credentials)
            // Buckets in the path, not the host name: self-hosted stores (Garage, s3s) serve one
            // host for every bucket.
            .force_path_style(true)
            // Checksums only where the operation requires one. Since aws-sdk-s3 1.69 uploads carry
            // a CRC by default, streamed as aws-chunked with a trailer, which AWS takes but other
            // stores do not (Garage 2.5 refuses every such upload: "Invalid payload signature").
            // What guards an upload without it: the length announced up front, which the store
            // checks, and processing, which reads back and decodes what was stored.
            .request_checksum_calculation(aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired);
        if let Some(endpoint) = &config.endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        S3Store { client: Client::from_conf(builder.build()), bucket: config.bucket.clone(), prefix: config.prefix.clone() }
    }

    /// The key in the bucket.
    fn full(&self, key: &ObjectKey) -> String {
        format!("{}{}", self.prefix, key.as_str())
    }

    pub async fn put(&self, key: &ObjectKey, content_type: &str, length: u64, body: ByteStream) -> StorageResult<ObjectMeta> {
        // The stream goes to S3 as it arrives, with its length announced up front; a stream that
        // ends early or runs long fails the request, and S3 keeps nothing of it.
        // The SDK wants a body it can share between threads; the request's stream is only Send, so
        // a task forwards it through a small channel (backpressure intact).
        let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(4);
        let mut body = body;
        tokio::spawn(async move {
            while let Some(chunk) = futures::StreamExt::next(&mut body).await {
                if tx.send(chunk).await.is_err() {
                    break;
                }
            }
        });
        let shared =
            futures::StreamExt::fuse(futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|chunk| (chunk, rx)) }));
        let frames = shared.map_ok(http_body::Frame::data);
        let http_body = http_body_util::StreamBody::new(frames);
        let sdk_body = aws_sdk_s3::primitives::SdkBody::from_body_1_x(http_body);
        let length_i64 = i64::try_from(length).map_err(backend)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(self.full(key))
            .content_type(content_type)
            .content_length(length_i64)
            .body(S3Body::new(sdk_body))
            .send()
            .await
            .map_err(|e| failed(format!("put {key}: {}", describe(&e)), &e))?;
        self.head(key).await?.ok_or_else(|| StorageError::Backend(format!("{key} vanished after it was written")))
    }

    pub async fn get(&self, key: &ObjectKey) -> StorageResult<Object> {
        let out = match self.client.get_object().bucket(&self.bucket).key(self.full(key)).send().await {
            Ok(out) => out,
            Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => return Err(StorageError::NotFound(key.to_string())),
            Err(e) => return Err(failed(format!("get {key}: {}", describe(&e)), &e)),
        };
        let meta = ObjectMeta {
            key: key.clone(),
            size: out.content_length().and_then(|l| u64::try_from(l).ok()).unwrap_or(0),
            content_type: out.content_type().map(str::to_owned),
            modified: out.last_modified().and_then(to_chrono),
        };
        let reader = out.body.into_async_read();
        Ok(Object { meta, body: Box::pin(ReaderStream::new(reader)) })
    }

    pub async fn head(&self, key: &ObjectKey) -> StorageResult<Option<ObjectMeta>> {
        match self.client.head_object().bucket(&self.bucket).key(self.full(key)).send().await {
            Ok(out) => Ok(Some(ObjectMeta {
                key: key.clone(),
                size: out.content_length().and_then(|l| u64::try_from(l).ok()).unwrap_or(0),
                content_type: out.content_type().map(str::to_owned),
                modified: out.last_modified().and_then(to_chrono),
            })),
            Err(SdkError::ServiceError(e)) if e.err().is_not_found() => Ok(None),
            Err(e) => Err(failed(format!("head {key}: {}", describe(&e)), &e)),
        }
    }

    pub async fn delete(&self, key: &ObjectKey) -> StorageResult<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(self.full(key))
            .send()
            .await
            .map_err(|e| failed(format!("delete {key}: {}", describe(&e)), &e))?;
        Ok(())
    }

    pub async fn list(&self, prefix: &str) -> StorageResult<Vec<ObjectMeta>> {
        let mut found = Vec::new();
        let within = format!("{}{prefix}", self.prefix);
        let mut pages = self.client.list_objects_v2().bucket(&self.bucket).prefix(within).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| failed(format!("list {prefix}: {}", describe(&e)), &e))?;
            for object in page.contents() {
                let Some(key) = object.key().and_then(|k| k.strip_prefix(self.prefix.as_str())).and_then(|k| ObjectKey::new(k).ok()) else {
                    continue;
                };
                found.push(ObjectMeta {
                    key,
                    size: object.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                    content_type: None,
                    modified: object.last_modified().and_then(to_chrono),
                });
            }
        }
        Ok(found)
    }

    /// Signed as of `start` until `expires` (Unix seconds), so the same window gives the same URL.
    pub async fn presign_get(&self, key: &ObjectKey, start: i64, expires: i64) -> StorageResult<String> {
        let start_time = std::time::UNIX_EPOCH + Duration::from_secs(u64::try_from(start).map_err(backend)?);
        let lifetime = Duration::from_secs(u64::try_from(expires - start).map_err(backend)?);
        let config = PresigningConfig::builder().start_time(start_time).expires_in(lifetime).build().map_err(backend)?;
        let request = self.client.get_object().bucket(&self.bucket).key(self.full(key)).presigned(config).await.map_err(backend)?;
        Ok(request.uri().to_owned())
    }

    /// The type and length are signed headers: an upload with others is refused by S3.
    pub async fn presign_put(&self, key: &ObjectKey, content_type: &str, length: u64, expires_in: Duration) -> StorageResult<String> {
        let config = PresigningConfig::expires_in(expires_in).map_err(backend)?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.full(key))
            .content_type(content_type)
            .content_length(i64::try_from(length).map_err(backend)?)
            .presigned(config)
            .await
            .map_err(backend)?;
        Ok(request.uri().to_owned())
    }

    /// The bucket answers (HEAD bucket); nothing is written.
    pub async fn check(&self) -> StorageResult<()> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| failed(format!("bucket {}: {}", self.bucket, describe(&e)), &e))?;
        Ok(())
    }
}

fn to_chrono(t: &aws_sdk_s3::primitives::DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// An SDK error as one line: the service's code and message where there is one.
/// An operation's failure: the store unreachable, timing out or failing on its side (5xx) is
/// "unavailable" (the client may retry), anything else a plain backend error.
fn failed<E, R>(what: String, e: &SdkError<E, R>) -> StorageError
where
    R: HttpStatus,
{
    let unreachable = match e {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(s) => s.raw().status_code() >= 500,
        _ => false,
    };
    if unreachable {
        StorageError::Unavailable(what)
    } else {
        StorageError::Backend(what)
    }
}

/// The HTTP status of a raw response, whatever the SDK's response type.
trait HttpStatus {
    fn status_code(&self) -> u16;
}

impl HttpStatus for aws_sdk_s3::config::http::HttpResponse {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

fn describe<E: std::fmt::Debug + aws_sdk_s3::error::ProvideErrorMetadata, R: std::fmt::Debug>(e: &SdkError<E, R>) -> String {
    match e {
        SdkError::ServiceError(s) => {
            format!("{} {}", s.err().code().unwrap_or("error"), s.err().message().unwrap_or(""))
        }
        other => format!("{other:?}"),
    }
}
