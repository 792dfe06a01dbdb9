use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "game_urls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    #[sea_orm(unique)]
    pub url_slug: String,
    pub full_url: String,
    pub status: String,
    pub reserved_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub deployed_at: Option<DateTimeUtc>,
    pub view_count: i64,
    pub last_accessed: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
