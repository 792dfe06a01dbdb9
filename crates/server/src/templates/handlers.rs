use axum::Json;
use petpixel_types::template::{self, Template};
use petpixel_types::{Action, Problem, Resource};

use crate::actor::Actor;
use crate::error::{ApiResult, AppError};
use crate::extract::ApiPath;
use crate::policy;

/// Every template, in the order the studio shows them.
#[utoipa::path(get, path = "/templates", tag = "builds", security(("bearer" = [])),
    responses((status = 200, description = "The templates", body = Vec<Template>)))]
pub async fn list_templates(actor: Actor) -> ApiResult<Json<Vec<Template>>> {
    policy::require(&actor, Resource::Projects, Action::Read)?;
    Ok(Json(template::catalogue()))
}

/// One template.
#[utoipa::path(get, path = "/templates/{id}", tag = "builds", security(("bearer" = [])), params(("id" = String, Path, description = "`runner`, `catcher` or `memory`")),
    responses(
        (status = 200, description = "The template", body = Template),
        (status = 404, description = "No such template", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_template(actor: Actor, ApiPath(id): ApiPath<String>) -> ApiResult<Json<Template>> {
    policy::require(&actor, Resource::Projects, Action::Read)?;
    template::find(&id)
        .map(Json)
        .ok_or_else(|| AppError::NotFound(format!("No template `{id}`; the templates are runner, catcher and memory.")))
}
