//! The OpenAPI document: built from the handlers' `#[utoipa::path]`s as the router is assembled,
//! so the spec is exactly what is served. `openapi/openapi.json` is a checked-in copy; a test
//! fails when they drift.

use petpixel_types::{FieldError, Problem};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "PetPixel Studio API",
        description = "The internal tool of PetPixel Games: orders, projects, assets, game URLs and builds.\n\n\
Errors are RFC 9457 problem details (`application/problem+json`); validation failures (422) list \
`errors: [{field, code, message}]`. Lists take `limit` (1 to 100, default 20) and `offset`.\n\n\
Authenticate with `Authorization: Bearer <token>`: an access token from `/api/v1/auth/login`, or an API token.",
        license(name = "Proprietary")
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "auth", description = "Logging in and out, and who am I"),
        (name = "api-tokens", description = "Tokens for integrations"),
        (name = "users", description = "The team"),
        (name = "projects", description = "Orders, from intake to delivery"),
        (name = "assets", description = "Photos, sprites, backgrounds and sounds: uploads, processing, versions"),
        (name = "builds", description = "Game templates, and the games built from them"),
        (name = "activity", description = "Who changed what, when and from where"),
        (name = "webhooks", description = "Signed deliveries of changes to other systems (Standard Webhooks): endpoints, secrets, the delivery log"),
        (name = "health", description = "Health checks, metrics and the web app's error reports"),
    )
)]
pub struct ApiDoc;

/// Applied to the finished document (after the routes have added their paths).
pub fn finish(mut openapi: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    Security.modify(&mut openapi);
    Idempotency.modify(&mut openapi);
    CommonResponses.modify(&mut openapi);
    openapi
}

/// Every authenticated `POST` of `/api/v1` takes `Idempotency-Key` (see `crate::idempotency`).
struct Idempotency;

impl Modify for Idempotency {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        for (path, item) in openapi.paths.paths.iter_mut() {
            let Some(op) =
                item.post.as_mut().filter(|op| path.starts_with("/api/v1/") && op.security.as_ref().is_some_and(|s| !s.is_empty()))
            else {
                continue;
            };
            let key = ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Makes a retry safe: the same key with the same request within 24 hours answers the first answer again \
                     (with `Idempotency-Replayed: true`) without doing the work twice; the same key with another request is \
                     422 naming `Idempotency-Key`; while the first is still being answered, 409; if the first request's work \
                     was done but its answer lost (its server stopped), 303 See Other to what it made. Keys are the caller's \
                     own; a UUID is a good key. Ignored on multipart uploads.",
                ))
                .schema(Some(
                    ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(255)).pattern(Some("^[!-~]+$")),
                ))
                .build();
            op.parameters.get_or_insert_with(Vec::new).push(RefOr::T(key));
            let responses = &mut op.responses.responses;
            responses
                .entry("409".to_owned())
                .or_insert_with(|| problem("Conflict (also: the first request with this Idempotency-Key is still being answered)"));
            responses.entry("303".to_owned()).or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(
                            "The first request with this Idempotency-Key did the work but its answer was lost: what it made \
                             is at `Location`",
                        )
                        .build(),
                )
            });
            responses
                .entry("422".to_owned())
                .or_insert_with(|| problem("Invalid input (also: this Idempotency-Key was used for another request)"));
        }
    }
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.description = Some("A JWT access token, or an API token (`pp_...`).".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
    }
}

/// Adds the answers every operation can give (400 for a malformed request, 401 and 403 where
/// authentication is required, 500), so the handlers' annotations list only their own.
struct CommonResponses;

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem")))))
        .build()
        .into()
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten() {
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let responses = &mut op.responses.responses;
                let mut add = |code: &str, text: &str| {
                    responses.entry(code.to_owned()).or_insert_with(|| problem(text));
                };
                if op.request_body.is_some() || op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                    add("400", "Malformed request: not JSON, wrong content type, or a malformed path parameter");
                }
                if secured {
                    add("401", "Missing, invalid or expired credentials, or a deactivated account");
                    add("403", "The caller lacks the permission");
                }
                if op.request_body.is_some() {
                    add("413", "The body is too large");
                }
                add("500", "Unexpected server error (logged, details never shown)");
            }
        }
    }
}
