//! Text that stays text in an LMS: typed words written so that an importer that decodes a
//! page's entities once more (Moodle's Common Cartridge converter does, and then shows the
//! page unfiltered) still finds no markup in them, and titles that no importer reads as
//! markup or refuses for their length.
//!
//! Why this encoding: escaping once (`&lt;`) is undone by that extra decoding, and escaping
//! twice (`&amp;lt;`) shows `&lt;` to every reader whose LMS does not decode again (Canvas,
//! a plain browser). What makes `<` markup in HTML is only what follows it: the tokenizer
//! opens a tag only for `<` followed by an ASCII letter, `!`, `/` or `?` (WHATWG HTML,
//! §13.2.5.6 "Tag open state"); anything else and the `<` is text. Likewise `&` starts a
//! character reference only when a letter, digit or `#` follows (§13.2.5.72). So after such a
//! `<` or `&` we write U+2060 WORD JOINER: invisible, no line break, and after any number of
//! decodings the `<` is still followed by something that opens no tag. "Koirat <3" and
//! "5 < 6 & 7 > 2" need nothing and are written as typed. In an attribute value only `"`
//! (which would end it) and `&` matter; a straight double quote becomes the closing
//! typographic one (U+201D), which reads the same.

/// Invisible, and opens no tag or reference after `<` or `&`.
const WORD_JOINER: char = '\u{2060}';

/// The longest title most LMSs take (Canvas refuses longer names; Moodle's section names are
/// 255 characters).
pub const TITLE_CHARS: usize = 255;

/// Whether the HTML tokenizer would read `<` followed by `next` as the start of markup.
fn opens_tag(next: Option<char>) -> bool {
    next.is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '!' | '/' | '?'))
}

/// Whether `&` followed by `next` could start a character reference.
fn opens_reference(next: Option<char>) -> bool {
    next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '#')
}

/// Characters XML 1.0 cannot hold at all: a pasted one must not make a page or manifest
/// unreadable.
fn unwritable(c: char) -> bool {
    ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Typed text for an element's content: escaped, and still text after one more round of
/// entity decoding.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    // What is dropped is dropped before looking at what follows a `<` or `&`: the character
    // after it in the output is what a decoder will see.
    let mut chars = s.chars().filter(|c| !unwritable(*c)).peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' => {
                out.push_str("&lt;");
                if opens_tag(chars.peek().copied()) {
                    out.push(WORD_JOINER);
                }
            }
            '&' => {
                out.push_str("&amp;");
                if opens_reference(chars.peek().copied()) {
                    out.push(WORD_JOINER);
                }
            }
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Typed text for a double-quoted attribute value: as [`text`], and no `"` (after any
/// decoding) to end the value early.
pub fn attribute(s: &str) -> String {
    text(&s.replace('"', "\u{201D}"))
}

/// A title as an LMS's course, section or item name: no character an importer reads as markup
/// (`<`, `>`, `"` become ‹ › ”, which read the same, and `&` a `+`: the full-width ＆ is
/// missing from common fonts, and showed as an empty box in Moodle), no control characters, and at
/// most [`TITLE_CHARS`] characters, cut at a grapheme boundary with an ellipsis so that no
/// letter loses its accent and no emoji is split. Not escaped: the caller escapes for XML.
pub fn title(s: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let safe: String = s
        .chars()
        .filter(|c| !unwritable(*c) && !matches!(c, '\n' | '\r' | '\t'))
        .map(|c| match c {
            '<' => '‹',
            '>' => '›',
            '&' => '+',
            '"' => '”',
            c => c,
        })
        .collect();
    let safe = safe.trim();
    if safe.chars().count() <= TITLE_CHARS {
        return safe.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in safe.graphemes(true) {
        let n = g.chars().count();
        if used + n > TITLE_CHARS - 1 {
            break;
        }
        out.push_str(g);
        used += n;
    }
    let mut out = out.trim_end().to_owned();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_could_open_markup_gets_a_word_joiner() {
        assert_eq!(text("Koirat <3"), "Koirat &lt;3");
        assert_eq!(text("5 < 6 & 7 > 2"), "5 &lt; 6 &amp; 7 &gt; 2");
        assert_eq!(text("<b>x</b>"), "&lt;\u{2060}b&gt;x&lt;\u{2060}/b&gt;");
        assert_eq!(text("&lt; &#60;"), "&amp;\u{2060}lt; &amp;\u{2060}#60;");
        assert_eq!(text("<!-- x"), "&lt;\u{2060}!-- x");
        assert_eq!(text("a\u{1}b"), "ab");
        // A dropped character does not hide the letter after a `<` or `&`.
        assert_eq!(text("<\u{1}img"), "&lt;\u{2060}img");
        assert_eq!(text("&\u{FFFF}lt;"), "&amp;\u{2060}lt;");
        assert_eq!(
            attribute("\"x\" onerror='y'"),
            "\u{201D}x\u{201D} onerror='y'"
        );
    }

    #[test]
    fn titles_are_cut_at_a_grapheme_with_an_ellipsis() {
        assert_eq!(title("Koirat <3 & \"kissat\""), "Koirat ‹3 + ”kissat”");
        use unicode_segmentation::UnicodeSegmentation;
        let long = "🦊e\u{301}".repeat(200);
        let cut = title(&long);
        let kept = cut.strip_suffix('…').expect("an ellipsis");
        assert!(cut.chars().count() <= TITLE_CHARS && kept.chars().count() >= 250);
        assert!(long.starts_with(kept));
        assert!(
            long.grapheme_indices(true).any(|(i, _)| i == kept.len()),
            "cut inside a grapheme: an accent off its letter"
        );
        assert_eq!(title("  Metsä\n talvella "), "Metsä talvella");
    }
}
