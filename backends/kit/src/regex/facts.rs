//! Questions about the matches of an RE2 pattern, answered from the pattern alone: whether it
//! matches the empty string, how many characters every match has, a literal run every match
//! holds, whether it is one class repeated. Used where a target needs a fact about the
//! pattern rather than a spelling of it (prefilters, counting matches by length).

/// Does the RE2 pattern match the empty string? (`None` when it does not parse.)
pub fn matches_empty(re2: &str) -> Option<bool> {
    regex_automata::meta::Regex::new(re2)
        .ok()
        .map(|r| r.is_match(""))
}

/// The shape of every match of an RE2 pattern, for counting matches by length: the number of
/// characters each match has when that is the same for all of them (`None` otherwise or when
/// the pattern does not parse), and whether a match can hold a non-ASCII character.
pub fn fixed_match_chars(re2: &str) -> Option<(usize, bool)> {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn walk(h: &Hir, non_ascii: &mut bool) -> Option<usize> {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => Some(0),
            HirKind::Literal(l) => {
                let s = std::str::from_utf8(&l.0).ok()?;
                *non_ascii |= !s.is_ascii();
                Some(s.chars().count())
            }
            HirKind::Class(c) => {
                *non_ascii |= match c {
                    Class::Unicode(u) => u.ranges().last().is_some_and(|r| r.end() > '\x7f'),
                    Class::Bytes(b) => b.ranges().last().is_some_and(|r| r.end() > 0x7f),
                };
                Some(1)
            }
            HirKind::Repetition(r) if r.max == Some(r.min) => {
                Some(walk(&r.sub, non_ascii)? * r.min as usize)
            }
            HirKind::Repetition(_) => None,
            HirKind::Capture(c) => walk(&c.sub, non_ascii),
            HirKind::Concat(v) => v.iter().map(|x| walk(x, non_ascii)).sum(),
            HirKind::Alternation(v) => {
                let lens: Option<Vec<usize>> = v.iter().map(|x| walk(x, non_ascii)).collect();
                let lens = lens?;
                lens.windows(2).all(|w| w[0] == w[1]).then(|| lens[0])
            }
        }
    }
    let hir = ascii_hir(re2)?;
    let mut non_ascii = false;
    let n = walk(&hir, &mut non_ascii)?;
    Some((n, non_ascii))
}

/// The pattern's HIR with RE2's ASCII-only `\d`, `\w`, `\s`, `\b` (and `.` as any byte but
/// `\n`, so it counts as possibly non-ASCII).
fn ascii_hir(re2: &str) -> Option<regex_syntax::hir::Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(re2)
        .ok()
}

/// The longest run of ASCII letters and digits that every match of the RE2 pattern contains:
/// taken from the literals the pattern requires (those of its top-level sequence, through
/// groups and repetitions of at least one). A case-insensitive literal is a class here, never
/// a run. `None` when there is none, the pattern does not parse, or it can match "" (a test
/// that passes a missing field).
pub fn required_run(re2: &str) -> Option<String> {
    use regex_syntax::hir::{Hir, HirKind};
    fn walk(h: &Hir, out: &mut Vec<String>) {
        match h.kind() {
            HirKind::Literal(l) => {
                if let Ok(s) = std::str::from_utf8(&l.0) {
                    out.push(s.to_string());
                }
            }
            HirKind::Capture(c) => walk(&c.sub, out),
            HirKind::Repetition(r) if r.min >= 1 => walk(&r.sub, out),
            HirKind::Concat(v) => v.iter().for_each(|x| walk(x, out)),
            HirKind::Empty
            | HirKind::Look(_)
            | HirKind::Class(_)
            | HirKind::Repetition(_)
            | HirKind::Alternation(_) => {}
        }
    }
    if matches_empty(re2) != Some(false) {
        return None;
    }
    let mut literals = Vec::new();
    walk(&ascii_hir(re2)?, &mut literals);
    literals
        .iter()
        .flat_map(|l| l.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|r| !r.is_empty())
        .fold(None, |best: Option<&str>, r| match best {
            Some(b) if b.len() >= r.len() => Some(b),
            _ => Some(r),
        })
        .map(str::to_string)
}

/// Is the whole pattern one greedy unbounded repetition of a single character class or
/// character (`[^\w]+`, `\s*`, `-+`)? Removing its leftmost match at an end of a string then
/// leaves no further match there.
pub fn is_class_run(re2: &str) -> bool {
    use regex_syntax::hir::HirKind;
    let Some(hir) = ascii_hir(re2) else {
        return false;
    };
    match hir.kind() {
        HirKind::Repetition(r) if r.max.is_none() && r.greedy => match r.sub.kind() {
            HirKind::Class(_) => true,
            HirKind::Literal(l) => std::str::from_utf8(&l.0).is_ok_and(|s| s.chars().count() == 1),
            _ => false,
        },
        _ => false,
    }
}
