//! Small field checks shared by every request type's `validate`.

use crate::ValidationErrors;

/// A required text field: trimmed, not empty, at most `max` characters.
pub fn required_text(errors: &mut ValidationErrors, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, "required", "This field is required.");
    } else {
        check_len(errors, field, value, max);
    }
    value.to_owned()
}

/// An optional text field: trimmed; blank counts as absent.
pub fn optional_text(errors: &mut ValidationErrors, field: &str, value: Option<&str>, max: usize) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    check_len(errors, field, value, max);
    Some(value.to_owned())
}

/// Beyond this length a field is free text, where line breaks and tabs belong.
const SINGLE_LINE_MAX: usize = 500;

fn check_len(errors: &mut ValidationErrors, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, "too_long", format!("At most {max} characters."));
    }
    // Control characters are never meant, break displays and logs, and PostgreSQL refuses NUL.
    let multiline = max > SINGLE_LINE_MAX;
    if value.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
        errors.add(field, "invalid_characters", "Contains control characters.");
    }
}

/// An integer that must lie in `min..=max`; returns it narrowed to `i32`.
pub fn int_in_range(errors: &mut ValidationErrors, field: &str, value: i64, min: i32, max: i32) -> i32 {
    if value < i64::from(min) || value > i64::from(max) {
        errors.add(field, "out_of_range", format!("Must be between {min} and {max}."));
        return 0;
    }
    value as i32
}

/// A phone number as people type them: digits with spaces, dots, dashes, parentheses and a leading `+`.
pub fn optional_phone(errors: &mut ValidationErrors, field: &str, value: Option<&str>) -> Option<String> {
    let phone = optional_text(errors, field, value, 50)?;
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || " .-()".contains(c) || (c == '+' && i == 0));
    if !allowed || !(5..=20).contains(&digits) {
        errors.add(field, "invalid_phone", "Not a phone number: use digits, spaces, dashes and an optional leading +.");
    }
    Some(phone)
}

/// An optional web address (`http` or `https`).
pub fn optional_url(errors: &mut ValidationErrors, field: &str, value: Option<&str>) -> Option<String> {
    let url = optional_text(errors, field, value, 500)?;
    let ok = (url.starts_with("https://") || url.starts_with("http://")) && !url.contains(char::is_whitespace);
    if !ok {
        errors.add(field, "invalid_url", "Must be an http(s) address.");
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_and_line_breaks_allowed_in_long_text() {
        let mut e = ValidationErrors::new();
        required_text(&mut e, "name", "a\u{0}b", 100);
        required_text(&mut e, "title", "two\nlines", 100);
        optional_text(&mut e, "notes", Some("two\nlines\tand a tab"), 10_000);
        optional_text(&mut e, "notes2", Some("bell\u{7}"), 10_000);
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "title", "notes2"]);
    }
}
