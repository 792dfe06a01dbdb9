use sea_orm::entity::prelude::*;

/// An upload under way: recorded before its object is written, removed when it completes (and,
/// with its object, when it expires first).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "asset_uploads")]
pub struct Model {
    /// The asset it becomes, for a new asset; any id for a new version of `asset_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    /// Set for a new version of an existing asset.
    pub asset_id: Option<Uuid>,
    pub asset_type: String,
    pub filename: String,
    pub original_filename: String,
    pub file_path: String,
    pub file_size: i64,
    pub mime_type: String,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
