//! `petpixel seed-demo`: a demo team and a realistic spread of projects to explore the app with.

use chrono::{Duration, Utc};
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::project::{Difficulty, GameConfig, PackageType, Priority, ProjectStatus};
use petpixel_types::Role;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use uuid::Uuid;

use crate::activity::{self, Audit, NewEntry};
use crate::actor::ClientInfo;
use crate::customers::keys::context;
use crate::entities::{projects, users};
use crate::state::AppState;

pub const DEMO_PASSWORD: &str = "petpixel-demo";
pub const DEMO_DOMAIN: &str = "demo.petpixel.example";

const TEAM: [(&str, &str, Role); 5] = [
    ("Ada", "Admin", Role::Admin),
    ("Max", "Manager", Role::Manager),
    ("Iris", "Inkwell", Role::Artist),
    ("Theo", "Tiles", Role::Artist),
    ("Suki", "Sprite", Role::Artist),
];

const PETS: [(&str, &str, &str); 20] = [
    ("Buttercup", "Golden Retriever", "Sunny Lee"),
    ("Biscuit", "Corgi", "Dana Ortiz"),
    ("Mochi", "Shiba Inu", "Ken Watanabe"),
    ("Pepper", "Border Collie", "Alex Brown"),
    ("Luna", "Siamese", "Priya Patel"),
    ("Ziggy", "Ferret", "Sam Carter"),
    ("Nugget", "Hamster", "Mia Rossi"),
    ("Olive", "Dachshund", "Noah Kim"),
    ("Waffles", "Pug", "Emma Schmidt"),
    ("Clover", "Holland Lop", "Liam Murphy"),
    ("Pickles", "Beagle", "Chloe Martin"),
    ("Gizmo", "Maine Coon", "Omar Haddad"),
    ("Pumpkin", "Tabby", "Zoe Nguyen"),
    ("Rocket", "Greyhound", "Lucas Silva"),
    ("Sprout", "Tortoise", "Ava Johnson"),
    ("Tofu", "Samoyed", "Yuki Tanaka"),
    ("Marble", "Budgie", "Isla Walker"),
    ("Bean", "French Bulldog", "Ethan Clark"),
    ("Juniper", "Husky", "Nora Fischer"),
    ("Cosmo", "Bengal", "Leo Dubois"),
];

const THEMES: [&str; 6] = ["space adventure", "candy kingdom", "underwater quest", "jungle run", "haunted house", "sky islands"];
const FEATURES: [&str; 5] = ["leaderboard", "boss fight", "collectibles", "custom soundtrack", "photo ending"];

/// Seeds an empty team. Demo accounts share a published password, so a database with anyone else
/// in it (a real team) is refused.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    let demo = users::Entity::find().filter(users::Column::Email.ends_with(DEMO_DOMAIN)).count(&state.db.conn).await?;
    let everyone = users::Entity::find().count(&state.db.conn).await?;
    if demo > 0 && demo == everyone {
        println!("Demo data is already there; log in as admin@{DEMO_DOMAIN} with password {DEMO_PASSWORD}.");
        return Ok(());
    }
    if everyone > 0 {
        anyhow::bail!(
            "this database already has {everyone} user(s): seed-demo only fills an empty one, since every demo account's \
             password is published. Point DATABASE_URL (or PETPIXEL_DATA_DIR) at a new database to try the demo."
        );
    }
    let hash = state.hasher.hash(DEMO_PASSWORD.to_owned()).await?;
    let now = Utc::now();
    let client = ClientInfo::system("seed-demo");
    let txn = state.db.begin_write().await?;

    let mut team = Vec::new();
    for (first, last, role) in TEAM {
        let email = match role {
            Role::Admin => format!("admin@{DEMO_DOMAIN}"),
            Role::Manager => format!("manager@{DEMO_DOMAIN}"),
            Role::Artist => format!("{}@{DEMO_DOMAIN}", first.to_lowercase()),
        };
        let user = users::ActiveModel {
            id: Set(Uuid::now_v7()),
            email: Set(email),
            password_hash: Set(hash.clone()),
            first_name: Set(Some(first.into())),
            last_name: Set(Some(last.into())),
            avatar_url: Set(None),
            role: Set(role.as_str().into()),
            permissions: Set(json!([])),
            active: Set(true),
            last_login: Set(None),
            created_at: Set(now - Duration::days(60)),
            updated_at: Set(now - Duration::days(60)),
        }
        .insert(&*txn)
        .await?;
        team.push(user);
    }
    let manager = &team[1];
    let artists = &team[2..];
    let audit = Audit::new(Some(manager.id), Some(&manager.email), &client);

    let mut count = 0;
    for i in 0..40usize {
        let (pet, breed, customer) = PETS[i % PETS.len()];
        let status = ProjectStatus::ALL[i % 4];
        let priority = Priority::ALL[(i / 4) % 4];
        let package = PackageType::ALL[i % 3];
        // Deadlines from ten days ago to a month ahead; the past ones not complete are overdue.
        let deadline = (i % 5 != 4).then(|| (now + Duration::days((i as i64 * 7) % 41 - 10)).date_naive());
        let assignee = (status != ProjectStatus::Backlog || i % 3 == 0).then(|| artists[i % artists.len()].id);
        let created = now - Duration::days(40 - i as i64) - Duration::hours((i * 5 % 24) as i64);
        let config = GameConfig {
            theme: THEMES[i % THEMES.len()].into(),
            difficulty: Difficulty::ALL[i % 3],
            features: FEATURES.iter().skip(i % 3).take(1 + i % 3).map(|f| (*f).to_owned()).collect(),
        };
        let first_name = customer.split(' ').next().unwrap_or(customer).to_lowercase();
        let (id, keys) = (Uuid::now_v7(), &state.data_keys);
        let email = format!("{first_name}.{}@example.com", i + 1);
        let phone = (i % 2 == 0).then(|| format!("+1 555 01{:02}", i));
        let project = projects::ActiveModel {
            id: Set(id),
            customer_name: Set(customer.into()),
            customer_email: Set(keys.seal(&email, &context(id, "customer_email"))),
            customer_email_hash: Set(Some(keys.lookup(&email))),
            customer_phone: Set(phone.map(|p| keys.seal(&p, &context(id, "customer_phone")))),
            pet_name: Set(if i < PETS.len() { pet.into() } else { format!("{pet} II") }),
            pet_breed: Set(Some(breed.into())),
            pet_age: Set(Some((i % 15) as i32 + 1)),
            pet_personality: Set(Some(format!("{pet} is playful, curious and loves treats."))),
            package_type: Set(package.as_str().into()),
            status: Set(status.as_str().into()),
            priority: Set(priority.as_str().into()),
            assigned_artist_id: Set(assignee),
            deadline: Set(deadline),
            estimated_hours: Set(Some(match package {
                PackageType::Express => 8,
                PackageType::Custom => 20,
                PackageType::Premium => 40,
            })),
            actual_hours: Set((status != ProjectStatus::Backlog).then_some((i % 20) as i32 + 2)),
            game_config: Set(json!(config)),
            notes: Set((i % 4 == 1).then(|| "Customer asked for the pet's favourite toy to appear as a power-up.".to_owned())),
            version: Set(1),
            created_at: Set(created),
            updated_at: Set(created),
            completed_at: Set((status == ProjectStatus::Complete).then_some(created + Duration::days(7))),
            deleted_at: Set(None),
        }
        .insert(&*txn)
        .await?;
        activity::record(
            &txn,
            &audit,
            NewEntry::new("project.created", ActionType::Create, ResourceType::Project, project.id)
                .details(json!({ "pet_name": project.pet_name })),
        )
        .await?;
        if let Some(artist) = assignee {
            let entry = NewEntry::new("project.assigned", ActionType::Update, ResourceType::Project, project.id)
                .changes([("assigned_artist_id".to_owned(), json!({ "from": null, "to": artist }))].into_iter().collect());
            activity::record(&txn, &audit, entry).await?;
        }
        count += 1;
    }
    txn.commit().await?;
    let with_assets = seed_assets(state, &audit).await?;
    println!("Seeded a team of {} and {count} projects, {with_assets} of them with pictures and sounds to build games from.", team.len());
    println!("Log in with password {DEMO_PASSWORD} as:");
    for user in &team {
        println!("  {:<36} {}", user.email, user.role);
    }
    Ok(())
}

/// Fur, sky and hills for the demo pets, in turn.
const LOOKS: [([u8; 3], [u8; 3], [u8; 3]); 4] = [
    ([214, 150, 84], [130, 200, 255], [96, 170, 90]),
    ([90, 90, 100], [255, 190, 140], [120, 150, 80]),
    ([240, 230, 210], [160, 170, 255], [70, 140, 110]),
    ([150, 90, 60], [140, 220, 230], [150, 190, 90]),
];

/// The first projects get a photo, a cut-out sprite, a background and two sounds, drawn in code
/// (`assets::demo`), through the same intake as an upload; the worker of `serve` processes them.
async fn seed_assets(state: &AppState, audit: &Audit<'_>) -> anyhow::Result<usize> {
    use crate::assets::{demo, upload};
    use petpixel_types::asset::AssetType;
    let first = projects::Entity::find().order_by_asc(projects::Column::CreatedAt).limit(8).all(&state.db.conn).await?;
    for (i, project) in first.iter().enumerate() {
        let (fur, sky, hills) = LOOKS[i % LOOKS.len()];
        let pet = project.pet_name.to_lowercase().replace(' ', "-");
        let files: [(AssetType, String, Vec<u8>); 5] = [
            (AssetType::Photo, format!("{pet}-photo.jpg"), demo::jpeg(&demo::photo(fur, sky, hills, 900))),
            (AssetType::Sprite, format!("{pet}-cutout.png"), demo::png(&demo::sprite(fur, 256))),
            (AssetType::Background, "meadow.jpg".into(), demo::jpeg(&demo::backdrop(sky, hills, 1280, 720))),
            (AssetType::Sound, "jump.wav".into(), demo::chirp(380.0, 920.0, 220)),
            (AssetType::Sound, "treat.wav".into(), demo::chirp(1200.0, 1600.0, 160)),
        ];
        for (asset_type, name, bytes) in files {
            upload::ingest(state, audit, project, asset_type, &name, bytes).await.map_err(|e| anyhow::anyhow!("seeding {name}: {e}"))?;
        }
    }
    Ok(first.len())
}
