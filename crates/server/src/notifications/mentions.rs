//! `@ann@example.com` and `@Ann` in free text.

/// The handles mentioned in `text`, lower-cased, each once, in order: an `@` at the start or
/// after a space or punctuation, followed by a name (letters, digits, `.`, `_`, `-`, `+`) and,
/// for an e-mail address, `@domain`.
pub fn handles(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let name_char = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+');
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '@' && (i == 0 || !(name_char(chars[i - 1]) || chars[i - 1] == '@'));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && name_char(chars[j]) {
            j += 1;
        }
        if j < chars.len() && chars[j] == '@' && j + 1 < chars.len() && name_char(chars[j + 1]) {
            j += 1;
            while j < chars.len() && name_char(chars[j]) {
                j += 1;
            }
        }
        // A sentence's full stop is not part of the name.
        let handle: String = chars[i + 1..j].iter().collect::<String>().trim_end_matches(['.', '-', '_']).to_lowercase();
        if !handle.is_empty() && !out.contains(&handle) {
            out.push(handle);
        }
        i = j.max(i + 1);
    }
    out
}

/// Whether `handle` names the person: their e-mail address, first name, or first and last name
/// run together or joined by `.`, `_` or `-`.
pub fn names(handle: &str, email: &str, first: Option<&str>, last: Option<&str>) -> bool {
    if handle.contains('@') {
        return handle == email.to_lowercase();
    }
    let first = first.map(|f| f.trim().to_lowercase()).filter(|f| !f.is_empty());
    let last = last.map(|l| l.trim().to_lowercase()).filter(|l| !l.is_empty());
    match (first, last) {
        (Some(f), Some(l)) => {
            let f = f.replace(' ', "");
            let l = l.replace(' ', "");
            handle == f || [format!("{f}{l}"), format!("{f}.{l}"), format!("{f}_{l}"), format!("{f}-{l}")].iter().any(|n| n == handle)
        }
        (Some(f), None) => handle == f.replace(' ', ""),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_and_addresses_once() {
        assert_eq!(
            handles("Thanks @Ann! Ask @bob@example.com (or @ann) about it, cc @Cara.Diaz."),
            vec!["ann", "bob@example.com", "cara.diaz"]
        );
    }

    #[test]
    fn ignores_addresses_and_lone_signs() {
        assert!(handles("write to ann@example.com, meet @ 5").is_empty());
        assert_eq!(handles("@ann,@bob"), vec!["ann", "bob"]);
    }

    #[test]
    fn a_handle_names_by_email_or_name() {
        assert!(names("ann@example.com", "Ann@Example.com", Some("Ann"), None));
        assert!(names("ann", "x@example.com", Some("Ann"), Some("Lee")));
        assert!(names("ann.lee", "x@example.com", Some("Ann"), Some("Lee")));
        assert!(names("annlee", "x@example.com", Some("Ann"), Some("Lee")));
        assert!(!names("lee", "x@example.com", Some("Ann"), Some("Lee")));
        assert!(!names("ann", "ann@example.com", None, None));
    }
}
