use sea_orm::entity::prelude::*;

/// A game's address. Its slug is unique among live (reserved or active) addresses only: expired
/// and deleted ones keep theirs as history.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "game_urls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub url_slug: String,
    pub full_url: String,
    /// reserved, active, expired, deleted.
    pub status: String,
    pub reserved_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub deployed_at: Option<DateTimeUtc>,
    /// The build an active address serves.
    pub build_id: Option<Uuid>,
    pub view_count: i64,
    pub last_accessed: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
