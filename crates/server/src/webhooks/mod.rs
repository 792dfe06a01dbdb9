//! Outgoing webhooks (issue 13, under way): deliveries signed the Standard Webhooks way
//! (standardwebhooks.com), so receivers verify them with any of its reference libraries.

pub mod signature;
