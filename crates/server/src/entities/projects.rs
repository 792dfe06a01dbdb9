use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub customer_name: String,
    /// Sealed (`customers::keys`).
    pub customer_email: String,
    /// Sealed.
    pub customer_phone: Option<String>,
    /// A keyed hash of the e-mail address: finds a customer by exact address.
    pub customer_email_hash: Option<String>,
    pub pet_name: String,
    pub pet_breed: Option<String>,
    pub pet_age: Option<i32>,
    pub pet_personality: Option<String>,
    pub package_type: String,
    pub status: String,
    pub priority: String,
    pub assigned_artist_id: Option<Uuid>,
    pub deadline: Option<Date>,
    pub estimated_hours: Option<i32>,
    pub actual_hours: Option<i32>,
    pub game_config: Json,
    pub notes: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::users::Entity", from = "Column::AssignedArtistId", to = "super::users::Column::Id")]
    AssignedArtist,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AssignedArtist.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
