//! A serde-saphyr location's byte range in the text it was parsed from. Dependency-free (only
//! serde-saphyr), so `build.rs` compiles the built-in pipelines' spans with this same code
//! (`#[path]`) and a test can compare them with a run-time load.

use serde_saphyr::Location;

/// The byte range `loc` covers in `text`, computed from its line and column (always present;
/// `line_start(i)` is the byte offset of 0-based line `i`, clamped to the last line) and its
/// byte length when the parser recorded one that ends on a character boundary, else the one
/// character at the start. A location without a line (line 0) is `(0, 0)`.
pub(crate) fn byte_range(
    text: &str,
    line_start: impl Fn(usize) -> usize,
    loc: &Location,
) -> (usize, usize) {
    if loc.line() == 0 {
        return (0, 0);
    }
    let line = usize::try_from(loc.line() - 1).unwrap_or(usize::MAX);
    let ls = line_start(line);
    let col = usize::try_from(loc.column().saturating_sub(1)).unwrap_or(0);
    let start = text[ls..]
        .char_indices()
        .nth(col)
        .map_or(text.len(), |(i, _)| ls + i);
    let len = loc
        .span()
        .byte_len()
        .and_then(|l| usize::try_from(l).ok())
        .filter(|&l| start + l <= text.len() && text.is_char_boundary(start + l));
    let end = match len {
        Some(l) => start + l,
        None => text[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8()),
    };
    (start, end)
}
