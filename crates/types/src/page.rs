use serde::{Deserialize, Serialize};

use crate::ValidationErrors;

/// The page size when a list request names none.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// The largest page a list answers; the server's checks and the SPA's pagers both read this.
pub const MAX_PAGE_SIZE: u32 = 100;

/// One page of a list, with the total across all pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// Written by hand so that `items` refers to its type's named schema (`Page_Project` holds
/// `Project`s): the derive inlines a generic argument, and generated clients then name each
/// list's items anew (`PageProjectItemsItem`).
#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
    use utoipa::openapi::{Ref, RefOr};
    use utoipa::ToSchema;

    use super::Page;

    fn count(format: KnownFormat) -> ObjectBuilder {
        ObjectBuilder::new().schema_type(Type::Integer).format(Some(SchemaFormat::KnownFormat(format))).minimum(Some(0))
    }

    // What the `#[utoipa::path]` macros ask of a generic body (utoipa derives `PartialSchema`
    // from it); the inlined schemas of the arguments they pass in are not used.
    impl<T: ToSchema> utoipa::__dev::ComposeSchema for Page<T> {
        fn compose(_inlined: Vec<RefOr<Schema>>) -> RefOr<Schema> {
            ObjectBuilder::new()
                .description(Some("One page of a list, with the total across all pages."))
                .property("items", ArrayBuilder::new().items(Ref::from_schema_name(T::name())))
                .required("items")
                .property("total", count(KnownFormat::Int64))
                .required("total")
                .property("limit", count(KnownFormat::Int32))
                .required("limit")
                .property("offset", count(KnownFormat::Int64))
                .required("offset")
                .into()
        }
    }

    impl<T: ToSchema> ToSchema for Page<T> {
        fn name() -> std::borrow::Cow<'static, str> {
            "Page".into()
        }

        fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            schemas.push((T::name().into(), T::schema()));
            T::schemas(schemas);
        }
    }
}

/// A validated `limit`/`offset` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub offset: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { limit: DEFAULT_PAGE_SIZE, offset: 0 }
    }
}

impl PageRequest {
    pub fn parse(errors: &mut ValidationErrors, limit: Option<i64>, offset: Option<i64>) -> Self {
        Self { limit: parse_limit(errors, limit), offset: parse_offset(errors, offset) }
    }
}

pub fn parse_limit(errors: &mut ValidationErrors, limit: Option<i64>) -> u32 {
    match limit {
        None => DEFAULT_PAGE_SIZE,
        Some(l) if (1..=i64::from(MAX_PAGE_SIZE)).contains(&l) => l as u32,
        Some(_) => {
            errors.add("limit", "out_of_range", format!("Must be between 1 and {MAX_PAGE_SIZE}."));
            DEFAULT_PAGE_SIZE
        }
    }
}

fn parse_offset(errors: &mut ValidationErrors, offset: Option<i64>) -> u64 {
    match offset {
        None => 0,
        Some(o) if o >= 0 => o as u64,
        Some(_) => {
            errors.add("offset", "out_of_range", "Must be 0 or more.");
            0
        }
    }
}
