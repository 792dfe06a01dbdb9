use std::fmt;

use serde::{Deserialize, Serialize};

/// A syntactically valid e-mail address, trimmed, with a lower-cased domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEmail;

impl fmt::Display for InvalidEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Not a valid e-mail address.")
    }
}

impl std::error::Error for InvalidEmail {}

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let raw = raw.trim();
        if raw.len() > Self::MAX_LEN || !email_address::EmailAddress::is_valid(raw) {
            return Err(InvalidEmail);
        }
        let (local, domain) = raw.rsplit_once('@').ok_or(InvalidEmail)?;
        // RFC 5322 allows `user@localhost` and quoted oddities; an order form needs a mailable domain.
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if local.is_empty() || !domain_ok {
            return Err(InvalidEmail);
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The form used to match logins and find duplicates: wholly lower-case.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidEmail;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Validates an e-mail field, recording an error under `field`.
pub fn email_field(errors: &mut crate::ValidationErrors, field: &str, raw: &str) -> Option<Email> {
    if raw.trim().is_empty() {
        errors.add(field, "required", "This field is required.");
        return None;
    }
    match Email::parse(raw) {
        Ok(email) => Some(email),
        Err(e) => {
            errors.add(field, "invalid_email", e.to_string());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        assert_eq!(Email::parse(" Ann@Example.COM ").unwrap().as_str(), "Ann@example.com");
        assert_eq!(Email::parse("a.b+tag@mail.example.co.uk").unwrap().normalized(), "a.b+tag@mail.example.co.uk");
    }

    #[test]
    fn refuses_what_cannot_be_mailed() {
        for bad in ["", "plain", "a@b", "a@", "@example.com", "a b@example.com", "a@example..com.", "a@.example.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}

#[cfg(feature = "openapi")]
crate::string_schema!(Email, "An e-mail address.", "sunny@example.com");
