pub mod board;
pub mod intake;
pub mod list;
pub mod login;
pub mod profile;
pub mod project;
pub mod team;
pub mod urls;
