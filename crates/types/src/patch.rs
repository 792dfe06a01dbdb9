//! PATCH bodies tell "leave as is" (field absent) from "clear" (field `null`).

use serde::{Deserialize, Deserializer};

/// Use with `#[serde(default, deserialize_with = "patch::nullable")]` on an `Option<Option<T>>`:
/// absent stays `None`, `null` becomes `Some(None)`, a value `Some(Some(v))`.
pub fn nullable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
