//! Wire types and validation rules of the PetPixel Studio API.
//!
//! Everything here builds for `wasm32-unknown-unknown` as well as natively: the server, the typed
//! client and the SPA share these types, and the SPA runs the very same validation before it sends
//! a form, so a field error reads the same whether the browser or the server found it.

pub mod activity;
pub mod api_token;
pub mod asset;
pub mod auth;
pub mod email;
pub mod health;
pub mod page;
pub mod patch;
pub mod permissions;
pub mod problem;
pub mod project;
pub mod user;
pub mod validate;

pub use email::Email;
pub use page::{Page, PageRequest, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use permissions::{Action, Grant, Permission, Permissions, Resource, Role, Scope};
pub use problem::{FieldError, Problem, ValidationErrors};

/// Removes `key` from a JSON object and decodes it (for hand-written flattening deserialisers).
pub(crate) fn take_field<T: serde::de::DeserializeOwned, E: serde::de::Error>(value: &mut serde_json::Value, key: &str) -> Result<T, E> {
    let field = value.as_object_mut().and_then(|o| o.remove(key)).ok_or_else(|| E::missing_field_name(key))?;
    serde_json::from_value(field).map_err(E::custom)
}

trait MissingField: serde::de::Error {
    fn missing_field_name(key: &str) -> Self {
        Self::custom(format!("missing field `{key}`"))
    }
}

impl<E: serde::de::Error> MissingField for E {}

/// OpenAPI schema for a newtype that travels as a plain string.
#[cfg(feature = "openapi")]
#[macro_export]
#[doc(hidden)]
macro_rules! string_schema {
    ($ty:ty, $description:literal, $example:literal $(, pattern = $pattern:literal)?) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($description))
                    $(.pattern(Some($pattern)))?
                    .examples([serde_json::json!($example)])
                    .into()
            }
        }
        impl utoipa::ToSchema for $ty {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($ty))
            }
        }
    };
}
