//! Projects: one customer's game, from order intake to delivery.

mod changes;
mod game_config;
mod order;
mod query;
mod stats;
mod status;
mod wire;

pub use changes::{ProjectChanges, SetAssignee, SetStatus, UpdateProject};
pub use game_config::{GameConfig, GameConfigInput};
pub use order::{CreateProject, NewProject};
pub use query::{AssigneeFilter, ProjectFilter, ProjectQuery, Sort, SortKey};
pub use stats::{ArtistLoad, ProjectStats, StatusCount};
pub use status::{Difficulty, PackageType, Priority, ProjectStatus, TransitionError};
pub use wire::{PetPhoto, Project, ProjectDetail};

pub const MAX_NAME: usize = 255;
pub const MAX_PET_NAME: usize = 100;
pub const MAX_LONG_TEXT: usize = 10_000;
pub const MAX_FEATURES: usize = 20;
pub const MAX_HOURS: i32 = 10_000;
