use sea_orm::entity::prelude::*;

/// Every version of every asset; the current one is mirrored in `project_assets`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "asset_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub asset_id: Uuid,
    pub version: i32,
    pub original_filename: String,
    /// The original's storage key.
    pub file_path: String,
    pub file_size: i64,
    pub mime_type: String,
    pub metadata: Option<Json>,
    pub processing_status: String,
    pub processing_error: Option<String>,
    pub thumbnail_path: Option<String>,
    pub preview_path: Option<String>,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
