use sea_orm::entity::prelude::*;

/// One game made from a template and a project's assets.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "builds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub template: String,
    /// queued, building, ready, failed.
    pub status: String,
    /// Slot key -> asset id.
    pub slots: Json,
    /// Text slot key -> text.
    pub texts: Json,
    /// The parameters as sent.
    pub params: Json,
    pub resolved: Option<Json>,
    /// `[{slot, reason}]`.
    pub failures: Option<Json>,
    pub error: Option<String>,
    /// `["line", ...]`.
    pub log: Json,
    /// `[{name, content_type, size}]`, once ready.
    pub files: Option<Json>,
    pub bundle_size: Option<i64>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
