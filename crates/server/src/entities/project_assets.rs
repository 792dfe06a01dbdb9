use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "project_assets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub asset_type: String,
    pub filename: String,
    pub original_filename: String,
    /// The storage key.
    pub file_path: String,
    pub file_size: i64,
    pub mime_type: String,
    pub metadata: Option<Json>,
    pub processing_status: String,
    pub version: i32,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
    pub processing_error: Option<String>,
    pub thumbnail_path: Option<String>,
    pub preview_path: Option<String>,
}

/// Its fields from `file_path` on mirror the current version's row in `asset_versions`, so that a
/// list reads one table.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
