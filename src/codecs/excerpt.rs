//! Bounded excerpts of texts that come from outside (answers of the API, arguments), so
//! that no error message grows with what it quotes.

use std::fmt;

/// How many bytes of an argument an error message quotes.
const QUOTED: usize = 64;

/// The longest prefix of `text` that has at most `max` bytes and ends on a character
/// boundary.
pub(crate) fn prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` cut to at most `max` bytes on a character boundary, with `...` where it was cut.
pub(crate) fn cut(mut text: String, max: usize) -> String {
    if text.len() > max {
        let keep = prefix(&text, max.saturating_sub(3)).len();
        text.truncate(keep);
        text.push_str("...");
    }
    text
}

/// Shows a value as `{:?}` does, cut to its first 64 bytes (then `...`).
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = prefix(self.0, QUOTED);
        write!(f, "{shown:?}")?;
        if shown.len() < self.0.len() {
            f.write_str("...")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_on_character_boundaries() {
        let text = "é".repeat(100);
        assert_eq!(prefix(&text, 5), "éé");
        assert_eq!(cut(text.clone(), 9), "ééé...");
        assert_eq!(cut(text.clone(), 8), "éé...");
        assert_eq!(cut("abc".to_owned(), 3), "abc");
        assert_eq!(Quoted("db").to_string(), "\"db\"");
        let long = Quoted(&text).to_string();
        assert!(long.ends_with("\"...") && long.len() <= 70, "{long}");
    }
}
