//! Wire types and validation rules of the PetPixel Studio API.
//!
//! Everything here builds for `wasm32-unknown-unknown` as well as natively: the server, the typed
//! client and the SPA share these types, and the SPA runs the very same validation before it sends
//! a form, so a field error reads the same whether the browser or the server found it.

/// A closed set of names that travels as a snake_case string: `as_str`, `FromStr` (an unknown
/// name is an error naming the known ones), `Display`, serde and the OpenAPI schema, and `ALL` in
/// declaration order (which is also the order `Ord` sorts by). Every such enum of the API is one.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: [$name; <[&str]>::len(&[$($text),+])] = [$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| {
                    let expected: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    format!("`{s}` is not one of {}", expected.join(", "))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod activity;
pub mod api_token;
pub mod asset;
pub mod auth;
pub mod build;
pub mod client_error;
pub mod email;
pub mod event;
pub mod health;
pub mod job;
pub mod notification;
pub mod page;
pub mod patch;
pub mod permissions;
pub mod problem;
pub mod project;
pub mod realtime;
pub mod template;
pub mod url;
pub mod user;
pub mod validate;
pub mod webhook;

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
