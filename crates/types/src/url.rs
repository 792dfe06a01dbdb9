//! A game's public address (`/g/<slug>`): its rules, its lifecycle and its views.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The shortest and longest slug.
pub const SLUG_MIN: usize = 3;
pub const SLUG_MAX: usize = 60;
/// The longest daily series `GET /urls/{id}/analytics` answers.
pub const MAX_ANALYTICS_DAYS: u32 = 365;

string_enum! {
    /// A reserved address waits for its game until `expires_at`; an active one serves it. Expired
    /// and deleted addresses answer 410 until someone else takes the slug.
    UrlStatus { Reserved = "reserved", Active = "active", Expired = "expired", Deleted = "deleted" }
}

impl UrlStatus {
    /// Holds its slug (and its project's one address).
    pub fn is_live(self) -> bool {
        matches!(self, UrlStatus::Reserved | UrlStatus::Active)
    }
}

string_enum! {
    /// Why a slug cannot be had.
    SlugProblem {
        /// A game is live at it.
        Taken = "taken",
        /// Someone holds a reservation of it.
        Reserved = "reserved",
        /// A word the studio keeps for itself, or one it will not put in a customer's link.
        Blocked = "blocked",
        /// Not 3 to 60 lowercase letters, digits and single hyphens.
        Invalid = "invalid",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GameUrl {
    pub id: Uuid,
    pub project_id: Uuid,
    pub url_slug: String,
    /// Where the customer plays it.
    pub full_url: String,
    pub status: UrlStatus,
    pub reserved_at: DateTime<Utc>,
    /// When a reservation that has not been deployed lets its slug go.
    pub expires_at: DateTime<Utc>,
    /// When a build was last deployed to it.
    pub deployed_at: Option<DateTime<Utc>>,
    /// The build it serves (active addresses).
    pub build_id: Option<Uuid>,
    /// Views counted so far (counts reach the database in batches, every few seconds).
    pub view_count: i64,
    pub last_accessed: Option<DateTime<Utc>>,
}

/// An address in the URLs list, with whose game it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UrlListItem {
    #[serde(flatten)]
    pub url: GameUrl,
    pub pet_name: String,
    pub customer_name: String,
    /// The pet's first photo, small.
    #[serde(default)]
    pub pet_photo: Option<crate::project::PetPhoto>,
}

/// `GET /urls`: every address, newest first unless `sort` says otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UrlQuery {
    /// reserved, active, expired or deleted.
    #[cfg_attr(feature = "openapi", param(pattern = "^(reserved|active|expired|deleted)?$"))]
    pub status: Option<String>,
    /// Searches the slug and the pet's and customer's names.
    #[cfg_attr(feature = "openapi", param(max_length = 100, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"))]
    pub q: Option<String>,
    /// `-reserved_at` (default), `slug`, `-views`, `expires_at`.
    #[cfg_attr(feature = "openapi", param(pattern = "^(-reserved_at|slug|-views|expires_at)?$"))]
    pub sort: Option<String>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub offset: Option<i64>,
}

string_enum! {
    /// The URLs list's orders.
    UrlSort { NewestFirst = "-reserved_at", Slug = "slug", MostViewed = "-views", ExpiresSoonest = "expires_at" }
}

/// A validated [`UrlQuery`].
pub struct UrlFilter {
    pub status: Option<UrlStatus>,
    pub q: Option<String>,
    pub sort: UrlSort,
    pub page: crate::PageRequest,
}

impl UrlQuery {
    pub fn validate(&self) -> Result<UrlFilter, crate::ValidationErrors> {
        let mut e = crate::ValidationErrors::new();
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => s.parse().map_err(|m: String| e.add("status", "invalid", m)).ok(),
        };
        let sort = match self.sort.as_deref().filter(|s| !s.is_empty()) {
            None => UrlSort::NewestFirst,
            Some(s) => s.parse().map_err(|m: String| e.add("sort", "invalid", m)).unwrap_or(UrlSort::NewestFirst),
        };
        let q = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_owned);
        if q.as_ref().is_some_and(|q| q.chars().count() > 100) {
            e.add("q", "too_long", "At most 100 characters.");
        }
        if q.as_ref().is_some_and(|q| q.chars().any(char::is_control)) {
            e.add("q", "invalid", "No control characters.");
        }
        let page = crate::PageRequest::parse(&mut e, self.limit, self.offset);
        e.finish(UrlFilter { status, q, sort, page })
    }
}

/// `GET /urls/check?slug=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct SlugQuery {
    /// The slug to check, as typed (it is not changed: an invalid one is answered as such).
    pub slug: String,
}

/// Whether a slug can be reserved, and if not why, with available ones like it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlugCheck {
    pub slug: String,
    pub available: bool,
    pub reason: Option<SlugProblem>,
    /// What is wrong, for a person.
    pub message: Option<String>,
    /// Available slugs like it (none when it is available).
    pub alternatives: Vec<String>,
}

/// One proposed slug.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlugOption {
    pub slug: String,
    pub available: bool,
    /// Why not, when it is not.
    pub reason: Option<SlugProblem>,
}

/// `POST /projects/{id}/urls/generate`: slugs made from the pet's name, personality, breed and
/// theme, available ones first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlugProposals {
    pub options: Vec<SlugOption>,
}

/// `POST /projects/{id}/urls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReserveUrl {
    #[cfg_attr(
        feature = "openapi",
        schema(example = "buttercup-sunny", min_length = 3, max_length = 60, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")
    )]
    pub slug: String,
}

/// `POST /urls/{id}/deploy`: a ready build of the address's project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeployUrl {
    pub build_id: Uuid,
}

/// `GET /urls/{id}/analytics?days=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct AnalyticsQuery {
    /// How many days back, today included (1 to 365, default 30).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 365))]
    pub days: Option<i64>,
}

impl AnalyticsQuery {
    pub fn validate(&self) -> Result<u32, crate::ValidationErrors> {
        let mut e = crate::ValidationErrors::new();
        let days = match self.days {
            None => 30,
            Some(d) if (1..=i64::from(MAX_ANALYTICS_DAYS)).contains(&d) => d as u32,
            Some(_) => {
                e.add("days", "out_of_range", format!("Must be between 1 and {MAX_ANALYTICS_DAYS}."));
                30
            }
        };
        e.finish(days)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyViews {
    pub day: NaiveDate,
    pub views: i64,
}

/// An address's views: totals and one entry per day (UTC), oldest first, days without views
/// included as zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UrlAnalytics {
    pub url_id: Uuid,
    pub view_count: i64,
    pub last_accessed: Option<DateTime<Utc>>,
    /// Views within the series.
    pub period_views: i64,
    pub daily: Vec<DailyViews>,
}

/// Whether `slug` is written as a slug: 3 to 60 lowercase ASCII letters, digits and single
/// hyphens, neither starting nor ending with one. The message says what is wrong.
pub fn check_slug_syntax(slug: &str) -> Result<(), String> {
    let len = slug.len();
    if !slug.is_ascii() {
        return Err("Only lowercase letters a to z, digits and hyphens.".into());
    }
    if len < SLUG_MIN {
        return Err(format!("At least {SLUG_MIN} characters."));
    }
    if len > SLUG_MAX {
        return Err(format!("At most {SLUG_MAX} characters."));
    }
    if let Some(c) = slug.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')) {
        return Err(format!("`{c}` is not allowed: only lowercase letters a to z, digits and hyphens."));
    }
    if slug.starts_with('-') || slug.ends_with('-') {
        return Err("It cannot start or end with a hyphen.".into());
    }
    if slug.contains("--") {
        return Err("One hyphen at a time.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_letters_digits_and_single_hyphens() {
        for ok in ["abc", "buttercup-sunny", "rex-2", "a1b", &"a".repeat(60)] {
            assert_eq!(check_slug_syntax(ok), Ok(()), "{ok}");
        }
        for bad in ["ab", "Buttercup", "zoë", "-rex", "rex-", "rex--max", "rex_max", "rex max", &"a".repeat(61), ""] {
            assert!(check_slug_syntax(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn live_statuses_hold_their_slug() {
        assert!(UrlStatus::Reserved.is_live() && UrlStatus::Active.is_live());
        assert!(!UrlStatus::Expired.is_live() && !UrlStatus::Deleted.is_live());
    }
}
