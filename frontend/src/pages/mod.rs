pub mod board;
pub mod intake;
pub mod login;
pub mod project;
