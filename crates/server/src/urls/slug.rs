//! Slugs: what one may be, and proposals made from a pet's name, personality, breed and theme.
//!
//! A name in any script is transliterated to ASCII (`Zoë` -> `zoe`, `Müsli` -> `musli`,
//! `小白` -> `xiao-bai`) with `deunicode`'s tables rather than our own.

use petpixel_types::url::{check_slug_syntax, SlugProblem, SLUG_MAX};

use super::words::{FRIENDLY, OFFENSIVE_ANYWHERE, OFFENSIVE_WORDS, RESERVED, STOPWORDS};

/// The longest word a proposal takes from free text.
const MAX_WORD: usize = 20;

/// `text` as slug words: transliterated, lowercased, split at anything but letters and digits.
pub fn words(text: &str) -> Vec<String> {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// `text` as a slug (without checking the blocklist), cut at a word boundary to fit.
pub fn slugify(text: &str) -> String {
    join(&words(text))
}

fn join(parts: &[String]) -> String {
    let mut slug = String::new();
    for part in parts {
        let part = &part[..part.len().min(SLUG_MAX)];
        let extra = if slug.is_empty() { part.len() } else { part.len() + 1 };
        if slug.len() + extra > SLUG_MAX {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(part);
    }
    slug
}

/// Why `slug` may never be had, whoever holds what: invalid or blocked, with a message.
pub fn problem(slug: &str) -> Option<(SlugProblem, String)> {
    if let Err(message) = check_slug_syntax(slug) {
        return Some((SlugProblem::Invalid, message));
    }
    let parts: Vec<&str> = slug.split('-').collect();
    if let Some(word) = parts.iter().find(|p| RESERVED.contains(p)) {
        return Some((SlugProblem::Blocked, format!("`{word}` is kept for the studio's own pages.")));
    }
    let joined: String = parts.concat();
    let offensive = parts.iter().any(|p| OFFENSIVE_WORDS.contains(p)) || OFFENSIVE_ANYWHERE.iter().any(|w| joined.contains(w));
    if offensive {
        return Some((SlugProblem::Blocked, "This address contains a word we do not put in customers' links.".into()));
    }
    None
}

/// Whether `slug` may be proposed at all.
pub fn usable(slug: &str) -> bool {
    problem(slug).is_none()
}

/// What a project's proposals are made from.
pub struct Seed<'a> {
    pub pet_name: &'a str,
    pub personality: Option<&'a str>,
    pub breed: Option<&'a str>,
    pub theme: &'a str,
    /// Picks the friendly words, so that proposals differ between projects but not between calls.
    pub salt: u64,
}

/// A word of free text that reads well in an address.
fn good_word(word: &str) -> bool {
    (3..=MAX_WORD).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_lowercase()) && !STOPWORDS.contains(&word) && usable(word)
}

/// The friendly words in this seed's order.
pub fn friendly(salt: u64) -> impl Iterator<Item = &'static str> {
    let start = (salt % FRIENDLY.len() as u64) as usize;
    FRIENDLY.iter().cycle().skip(start).take(FRIENDLY.len()).copied()
}

/// The pet's name as words; when nothing of it can be used (all punctuation, an emoji, a
/// blocked word), its breed's last word, else `pet`.
fn name_words(seed: &Seed) -> Vec<String> {
    let name: Vec<String> = words(seed.pet_name).into_iter().filter(|w| usable(w) || w.len() < 3).take(3).collect();
    let name = join(&name);
    if name.len() >= 3 && usable(&name) {
        return name.split('-').map(str::to_owned).collect();
    }
    if !name.is_empty() && usable(&format!("{name}-pet")) {
        // A two-letter name (`Bo`) still leads.
        return vec![name, "pet".into()];
    }
    let breed = seed.breed.map(words).unwrap_or_default().into_iter().rev().find(|w| good_word(w));
    vec![breed.unwrap_or_else(|| "pet".into())]
}

/// Candidate slugs, best first, every one valid and not blocked; duplicates removed.
pub fn candidates(seed: &Seed) -> Vec<String> {
    let name = name_words(seed);
    // Words beside the name, never the name's own again (`biscuit-biscuit`).
    let extra = |text: Option<&str>, n: usize| -> Vec<String> {
        text.map(words).unwrap_or_default().into_iter().filter(|w| good_word(w) && !name.contains(w)).take(n).collect()
    };
    let personality = extra(seed.personality, 3);
    let breed = extra(seed.breed, 2);
    let theme = extra(Some(seed.theme), 1);
    let friendly: Vec<String> = friendly(seed.salt).map(str::to_owned).filter(|w| !name.contains(w)).take(6).collect();

    let with = |extra: &[&String]| -> Vec<String> {
        let mut parts = name.clone();
        parts.extend(extra.iter().map(|s| (*s).clone()));
        parts
    };
    let before = |word: &String, after: &[&String]| -> Vec<String> {
        let mut parts = vec![word.clone()];
        parts.extend(name.iter().cloned());
        parts.extend(after.iter().map(|s| (*s).clone()));
        parts
    };
    let mut out: Vec<Vec<String>> = Vec::new();
    if let Some(p) = personality.first() {
        out.push(with(&[p]));
    }
    out.push(with(&[&friendly[0]]));
    if let Some(t) = theme.first() {
        out.push(before(&friendly[1], &[t]));
        out.push(with(&[t]));
    }
    out.push(with(&[&friendly[2]]));
    if let Some(b) = breed.last() {
        out.push(with(&[b]));
    }
    for p in personality.iter().skip(1) {
        out.push(with(&[p]));
    }
    if let Some(p) = personality.first() {
        out.push(before(p, &[]));
    }
    out.push(name.clone());
    for f in &friendly[3..] {
        out.push(with(&[f]));
    }
    let mut seen = std::collections::HashSet::new();
    out.into_iter().map(|parts| join(&parts)).filter(|s| usable(s) && seen.insert(s.clone())).collect()
}

/// Slugs like `slug` (for one that is taken): its words with a friendly one after or before, then
/// numbered. `slug` itself need not be valid; nothing returned is blocked.
pub fn alternatives_to(slug: &str, salt: u64) -> Vec<String> {
    let mut base: Vec<String> = words(slug).into_iter().filter(|w| usable(w) || w.len() < 3).collect();
    base.truncate(4);
    if join(&base).len() < 3 {
        base = vec!["pet".into()];
    }
    let stem = join(&base);
    // Room for a friendly word or a number.
    let stem = if stem.len() > SLUG_MAX - 12 { join(&base[..1]) } else { stem };
    let mut out = Vec::new();
    for f in friendly(salt).take(4) {
        out.push(format!("{stem}-{f}"));
        out.push(format!("{f}-{stem}"));
    }
    out.extend((2..=9).map(|n| format!("{stem}-{n}")));
    let mut seen = std::collections::HashSet::new();
    out.into_iter().filter(|s| s.len() <= SLUG_MAX && usable(s) && s != slug && seen.insert(s.clone())).collect()
}

/// A stable number from text (FNV-1a), to pick friendly words.
pub fn salt_of(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed<'a>(name: &'a str, personality: Option<&'a str>, breed: Option<&'a str>, theme: &'a str) -> Seed<'a> {
        Seed { pet_name: name, personality, breed, theme, salt: 0 }
    }

    #[test]
    fn names_in_any_script_become_ascii_words() {
        assert_eq!(slugify("Zoë"), "zoe");
        assert_eq!(slugify("Müsli"), "musli");
        assert_eq!(slugify("  Sir   Barks-a-Lot!! "), "sir-barks-a-lot");
        assert_eq!(slugify("Łucja Ñandú"), "lucja-nandu");
        assert!(check_slug_syntax(&slugify("小白")).is_ok(), "{}", slugify("小白"));
        assert!(check_slug_syntax(&slugify("Пушок")).is_ok(), "{}", slugify("Пушок"));
        assert_eq!(slugify(&"long ".repeat(40)).len(), 59, "cut at a word boundary within 60");
    }

    #[test]
    fn proposals_come_from_the_name_personality_breed_and_theme() {
        let c = candidates(&seed("Buttercup", Some("Sunny, loves zoomies"), Some("Golden Retriever"), "beach"));
        assert_eq!(c[0], "buttercup-sunny");
        for expected in ["buttercup-zoomies", "buttercup-beach", "buttercup-retriever", "buttercup"] {
            assert!(c.contains(&expected.to_owned()), "{expected} in {c:?}");
        }
        assert!(c.iter().any(|s| s.ends_with("-buttercup-beach")), "a friendly word before: {c:?}");
        for s in &c {
            assert_eq!(problem(s), None, "{s}");
        }
    }

    #[test]
    fn a_name_that_leaves_nothing_still_gets_proposals() {
        // An emoji reads as its name.
        assert!(candidates(&seed("🐶", None, None, "space")).contains(&"dog-space".to_owned()));
        for name in ["!!!", "", "   ", "…"] {
            let c = candidates(&seed(name, None, Some("Beagle"), "space"));
            assert!(c.len() >= 5, "{name}: {c:?}");
            assert!(c.iter().all(|s| s.starts_with("beagle") || s.contains("-beagle")), "{name}: {c:?}");
        }
        let c = candidates(&seed("???", None, None, ""));
        assert!(c.len() >= 5 && c.iter().all(|s| problem(s).is_none()), "{c:?}");
        let c = candidates(&seed("Biscuit", Some("biscuit lover"), Some("Biscuit Hound"), "biscuit"));
        assert!(c.iter().all(|s| !s.contains("biscuit-biscuit")), "{c:?}");
        let c = candidates(&seed("Bo", None, None, "park"));
        assert_eq!(c[0].split('-').next(), Some("bo"), "a two-letter name still leads: {c:?}");
        let c = candidates(&seed(&"Maximilian ".repeat(10), Some("adventurous"), None, "space"));
        assert!(c.iter().all(|s| s.len() <= SLUG_MAX), "{c:?}");
    }

    #[test]
    fn reserved_and_offensive_words_are_refused_also_inside_compounds() {
        for reserved in ["api", "admin", "static", "assets", "login", "admin-panel", "buttercup-login"] {
            assert_eq!(problem(reserved).map(|p| p.0), Some(SlugProblem::Blocked), "{reserved}");
        }
        for offensive in ["fluffy-fuckface", "fluffyfuck", "sassy-ass", "rex-the-nazi", "bullshit-dog"] {
            assert_eq!(problem(offensive).map(|p| p.0), Some(SlugProblem::Blocked), "{offensive}");
        }
        for innocent in ["sassy", "class-clown", "cassie", "grapes", "scamper", "buttercup-sunny", "dickens-corgi", "shih-tzu"] {
            assert_eq!(problem(innocent), None, "{innocent}");
        }
        assert_eq!(problem("ab").map(|p| p.0), Some(SlugProblem::Invalid));
        assert_eq!(problem("Rex").map(|p| p.0), Some(SlugProblem::Invalid));
        let c = candidates(&seed("Shitzu", Some("nazi"), None, "fuck"));
        assert!(c.iter().all(|s| problem(s).is_none()), "{c:?}");
    }

    #[test]
    fn alternatives_keep_the_words_and_are_never_blocked() {
        let a = alternatives_to("buttercup-sunny", 3);
        assert!(a.len() >= 8 && a.iter().all(|s| s.contains("buttercup-sunny") && problem(s).is_none()), "{a:?}");
        assert!(!a.contains(&"buttercup-sunny".to_owned()));
        let a = alternatives_to("Admin!!", 0);
        assert!(!a.is_empty() && a.iter().all(|s| problem(s).is_none()), "{a:?}");
        let a = alternatives_to(&"x".repeat(60), 0);
        assert!(a.iter().all(|s| s.len() <= SLUG_MAX), "{a:?}");
    }
}
