use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    #[sea_orm(column_name = "type")]
    pub kind: String,
    pub title: String,
    pub message: Option<String>,
    pub read: bool,
    pub read_at: Option<DateTimeUtc>,
    pub data: Option<Json>,
    /// Holds a reminder to once per thing it is about.
    pub dedupe_key: Option<String>,
    pub created_at: DateTimeUtc,
    /// Who caused it: mentions and messages are capped per author and hour.
    pub actor_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
