//! The project list: `GET /api/v1/projects` with filters, search, sort and paging.

use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{PackageType, Priority, ProjectStatus};
use crate::page::PageRequest;
use crate::validate::optional_text;
use crate::ValidationErrors;

/// Who a list is filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    User(Uuid),
    Me,
    Nobody,
}

/// What a project list can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    CreatedAt,
    UpdatedAt,
    Deadline,
    Priority,
    Status,
    PetName,
    CustomerName,
}

impl SortKey {
    pub const ALL: [(SortKey, &'static str); 7] = [
        (SortKey::CreatedAt, "created_at"),
        (SortKey::UpdatedAt, "updated_at"),
        (SortKey::Deadline, "deadline"),
        (SortKey::Priority, "priority"),
        (SortKey::Status, "status"),
        (SortKey::PetName, "pet_name"),
        (SortKey::CustomerName, "customer_name"),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first.
    fn default() -> Self {
        Sort { key: SortKey::CreatedAt, descending: true }
    }
}

impl FromStr for Sort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        SortKey::ALL.iter().find(|(_, n)| *n == name).map(|(key, _)| Sort { key: *key, descending }).ok_or_else(|| {
            let names: Vec<&str> = SortKey::ALL.iter().map(|(_, n)| *n).collect();
            format!("Sort by one of {}, with a leading - for descending.", names.join(", "))
        })
    }
}

/// The query of `GET /api/v1/projects`, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ProjectQuery {
    /// One status or several, comma-separated (`backlog,review`).
    #[cfg_attr(
        feature = "openapi",
        param(pattern = "^ *((backlog|in_progress|review|complete) *(, *(backlog|in_progress|review|complete) *)*)?$")
    )]
    pub status: Option<String>,
    /// A user id, `me` or `none`.
    #[cfg_attr(
        feature = "openapi",
        param(pattern = "^ *(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})? *$")
    )]
    pub assigned_to: Option<String>,
    /// One priority or several, comma-separated.
    #[cfg_attr(feature = "openapi", param(pattern = "^ *((low|normal|high|urgent) *(, *(low|normal|high|urgent) *)*)?$"))]
    pub priority: Option<String>,
    /// One package type or several, comma-separated.
    #[cfg_attr(feature = "openapi", param(pattern = "^ *((express|custom|premium) *(, *(express|custom|premium) *)*)?$"))]
    pub package_type: Option<String>,
    /// Words to find in the customer's name, the pet's name or the notes; or a customer's whole
    /// e-mail address (in any case: addresses are sealed at rest, so found by exact match only).
    #[cfg_attr(feature = "openapi", param(max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"))]
    pub q: Option<String>,
    /// Only projects with a deadline before this day.
    pub due_before: Option<NaiveDate>,
    /// Only projects past their deadline and not complete (`true`), or only the others (`false`).
    pub overdue: Option<bool>,
    /// Deleted projects instead of the others (admins only): those the removal job has not yet
    /// purged (`PETPIXEL_DELETED_RETENTION_DAYS` after their deletion), which may be restored.
    pub deleted: Option<bool>,
    /// `created_at`, `updated_at`, `deadline`, `priority`, `status`, `pet_name` or `customer_name`;
    /// a leading `-` sorts descending. Default `-created_at`.
    #[cfg_attr(feature = "openapi", param(pattern = "^ *(-?(created_at|updated_at|deadline|priority|status|pet_name|customer_name))? *$"))]
    pub sort: Option<String>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub offset: Option<i64>,
}

/// A validated project list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub statuses: Vec<ProjectStatus>,
    pub assigned_to: Option<AssigneeFilter>,
    pub priorities: Vec<Priority>,
    pub package_types: Vec<PackageType>,
    pub q: Option<String>,
    pub due_before: Option<NaiveDate>,
    pub overdue: Option<bool>,
    /// Deleted projects instead of the others.
    pub deleted: bool,
    pub sort: Sort,
    pub page: PageRequest,
}

fn list_of<T: FromStr<Err = String>>(errors: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Vec<T> {
    let mut out = Vec::new();
    for part in raw.unwrap_or("").split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse() {
            Ok(v) => out.push(v),
            Err(msg) => errors.add(field, "invalid_value", msg),
        }
    }
    out
}

impl ProjectQuery {
    pub fn validate(&self) -> Result<ProjectFilter, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let statuses = list_of(&mut e, "status", self.status.as_deref());
        let priorities = list_of(&mut e, "priority", self.priority.as_deref());
        let package_types = list_of(&mut e, "package_type", self.package_type.as_deref());
        let assigned_to = match self.assigned_to.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("me") => Some(AssigneeFilter::Me),
            Some("none") => Some(AssigneeFilter::Nobody),
            Some(id) => match Uuid::parse_str(id) {
                Ok(id) => Some(AssigneeFilter::User(id)),
                Err(_) => {
                    e.add("assigned_to", "invalid_value", "A user id, `me` or `none`.");
                    None
                }
            },
        };
        let q = optional_text(&mut e, "q", self.q.as_deref(), 200);
        let sort = match self.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Sort::default(),
            Some(s) => s.parse().unwrap_or_else(|msg| {
                e.add("sort", "invalid_value", msg);
                Sort::default()
            }),
        };
        let page = PageRequest::parse(&mut e, self.limit, self.offset);
        e.finish(ProjectFilter {
            statuses,
            assigned_to,
            priorities,
            package_types,
            q,
            due_before: self.due_before,
            overdue: self.overdue,
            deleted: self.deleted.unwrap_or(false),
            sort,
            page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_queries_parse() {
        let q = ProjectQuery { status: Some("backlog, review".into()), sort: Some("-deadline".into()), ..Default::default() };
        let f = q.validate().unwrap();
        assert_eq!(f.statuses, vec![ProjectStatus::Backlog, ProjectStatus::Review]);
        assert_eq!(f.sort, Sort { key: SortKey::Deadline, descending: true });
        let bad = ProjectQuery { status: Some("done".into()), limit: Some(500), sort: Some("colour".into()), ..Default::default() };
        let fields: Vec<String> = bad.validate().unwrap_err().iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["status", "sort", "limit"]);
    }
}
