//! OpenTelemetry traces over OTLP/HTTP, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: a request is a
//! span (the trace layer's `request`), the services it calls are spans under it, and so are its
//! queries (sea-orm's `tracing-spans`); a job's run is a span linked to the request that queued it
//! (the queue keeps the request's W3C `traceparent`).

use std::collections::HashMap;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::config::{Otlp, OtlpProtocol};

/// The exporter and its batching thread; spans are sent in batches, and the rest on shutdown.
pub fn provider(otlp: &Otlp) -> anyhow::Result<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", otlp.endpoint.trim_end_matches('/')))
        .with_protocol(match otlp.protocol {
            OtlpProtocol::Protobuf => Protocol::HttpBinary,
            OtlpProtocol::Json => Protocol::HttpJson,
        })
        .build()?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name(otlp.service_name.clone()).build())
        .build())
}

/// The current span's trace as a W3C `traceparent`, for work queued now to link back to; `None`
/// when nothing is traced.
pub fn current_traceparent() -> Option<String> {
    let context = tracing::Span::current().context();
    if !context.span().span_context().is_valid() {
        return None;
    }
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove("traceparent")
}

/// Links `span` to the span `traceparent` names (a job's run to the request that queued it). A
/// link, not a parent: the request has long answered when the job runs.
pub fn link(span: &tracing::Span, traceparent: &str) {
    let carrier = HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
    let context = TraceContextPropagator::new().extract(&carrier);
    let linked = context.span().span_context().clone();
    if linked.is_valid() {
        span.add_link(linked);
    }
}

/// What becomes a span: the app's spans at INFO and sea-orm's queries; never the exporters' own
/// HTTP calls (they would be traced as they send traces) nor sqlx's statement logs.
pub fn filter() -> tracing_subscriber::filter::Targets {
    use tracing_subscriber::filter::LevelFilter;
    let off = [
        "sqlx",
        "h2",
        "hyper",
        "hyper_util",
        "reqwest",
        "rustls",
        "tower",
        "opentelemetry",
        "opentelemetry_sdk",
        "opentelemetry_otlp",
        "sentry",
    ];
    off.into_iter().fold(tracing_subscriber::filter::Targets::new().with_default(LevelFilter::INFO), |targets, target| {
        targets.with_target(target, LevelFilter::OFF)
    })
}
