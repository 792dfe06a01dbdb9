//! Customers' personal data: their e-mail address and phone number sealed at rest, opened for
//! whom the policy lets read them.

pub mod keys;
pub mod reseal;

pub use keys::DataKeys;
