//! Lists whose filters, search, order and page live in the URL's query, so that a view can be
//! bookmarked or shared and reloads as it was.

use leptos_router::params::ParamsMap;

/// `path` with the current query's `filters` (and `offset`) but `key` set to `value` (an empty
/// value removes it). Any change but paging goes back to the first page; the parameters keep the
/// order of `filters`, so one view has one address.
pub fn with_param(path: &str, query: &ParamsMap, filters: &[&str], key: &str, value: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        filters.iter().chain(["offset"].iter()).filter_map(|k| query.get(k).map(|v| ((*k).to_owned(), v))).collect();
    pairs.retain(|(k, _)| k != key && (key == "offset" || k != "offset"));
    if !value.trim().is_empty() {
        pairs.push((key.to_owned(), value.trim().to_owned()));
    }
    pairs.sort_by_key(|(k, _)| filters.iter().position(|f| f == k).unwrap_or(usize::MAX));
    let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if qs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{qs}")
    }
}
