pub mod board;
pub mod login;
