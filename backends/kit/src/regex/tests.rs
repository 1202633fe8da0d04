//! One table: each RE2 construct and the answer every dialect gives it (the spelling, or the
//! reason it is declined), so a change to one dialect's verdict shows here beside the others.

use super::{java, lucene, pcre, sigma};

/// `Ok(text)` or `Err(reason)` for each dialect: (Lucene, Java, PCRE, Sigma's).
fn answers(p: &str) -> [Result<String, String>; 4] {
    [
        lucene::rewrite_re2(p, false)
            .map(|r| r.lucene)
            .map_err(|d| d.message),
        java::rewrite_re2(p)
            .map(|j| j.pattern)
            .map_err(|d| d.message),
        pcre::re2_to_pcre(p).map_err(|d| d.message),
        sigma::port_regex(p)
            .map(|s| {
                if s.insensitive {
                    format!("(?i){}", s.pattern)
                } else {
                    s.pattern
                }
            })
            .map_err(|d| d.message),
    ]
}

fn ok(s: &str) -> Result<String, String> {
    Ok(s.to_string())
}

fn declined(answer: &Result<String, String>, why: &str) -> bool {
    answer.as_ref().is_err_and(|m| m.contains(why))
}

#[test]
fn every_dialect_answers_every_construct() {
    // Plain text, classes, repetition: every dialect spells them.
    assert_eq!(
        answers(r"a\.b\d{2}"),
        [
            ok(r".*(a\.b([0-9]){2}).*"),
            ok(r"a\.b(?:[0-9]){2}"),
            ok(r"a\.b[0-9]{2}"),
            ok(r"a\.b[0-9]{2}"),
        ]
    );
    // Anchors at the edges: Lucene drops them (it matches whole values).
    assert_eq!(
        answers("^cmd$"),
        [ok("(cmd)"), ok(r"\Acmd\z"), ok(r"^cmd\z"), ok("^cmd$")]
    );
    // Case folding: Lucene and Java spell RE2's Unicode simple folding out; PCRE and Sigma's
    // dialect keep `(?i)` (both fold Unicode in UTF mode, as RE2 does).
    assert_eq!(
        answers("(?i)mü"),
        [
            ok(".*([Mm][Üü]).*"),
            ok("[Mm][Üü]"),
            ok("(?i)mü"),
            ok("(?i)mü"),
        ]
    );
    // A word boundary: Lucene has none.
    let a = answers(r"\bx");
    assert!(declined(&a[0], "word-boundary"));
    assert_eq!(
        a[1..],
        [
            ok(r"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))x"),
            ok(r"\bx"),
            ok(r"\bx")
        ]
    );
    // An anchor inside: only Lucene declines.
    let a = answers("a^b");
    assert!(declined(&a[0], "no anchors"));
    assert!(a[1..].iter().all(Result::is_ok));
    // Unicode classes: Sigma's dialect (Python's `re`) has none.
    let a = answers(r"\pL");
    assert!(a[..3].iter().all(Result::is_ok));
    assert!(declined(&a[3], "Unicode classes"));
    // `\z`: Sigma's dialect has no portable form.
    let a = answers(r"a\z");
    assert!(declined(&a[3], r"\z"));
    // A repeated capture that can match "": only Java reports its group differently.
    let a = answers("(a*)+b");
    assert!(declined(&a[1], "repeated group"));
    assert!(a[0].is_ok() && a[2].is_ok() && a[3].is_ok());
    // `\<` and `\>` are the characters in RE2.
    assert_eq!(
        answers(r"\<a\>"),
        [ok(r".*(\<a\>).*"), ok(r"\<a\>"), ok(r"\<a\>"), ok(r"\<a\>")]
    );
    // Not RE2 at all: every dialect declines it the same way.
    for a in answers("(") {
        assert!(declined(&a, "not a valid RE2 pattern"), "{a:?}");
    }
}

#[test]
fn pcre_only_group_named() {
    use super::pcre::only_group_named;
    // The one group named, others made non-capturing; RE2-only spellings ported.
    assert_eq!(
        only_group_named(r"([a-z]+)=(\d+)", 2, "v").unwrap(),
        r"(?:[a-z]+)=(?<v>[0-9]+)"
    );
    assert_eq!(
        only_group_named(r"(?P<key>\w+)=(?P<value>x)", 1, "k").unwrap(),
        r"(?<k>[0-9A-Za-z_]+)=(?:x)"
    );
    // A group that can be empty or miss a match is declined.
    assert!(only_group_named(r"Se(.*?)Privilege", 1, "v").is_err());
    assert!(only_group_named(r"a(b)?", 1, "v").is_err());
    assert!(only_group_named(r"(a)|b", 1, "v").is_err());
    assert!(only_group_named(r"(\d{1,3}\.){3}", 1, "v").is_err());
    assert!(only_group_named(r"(a)", 2, "v").is_err());
    // Mandatory and never empty.
    assert_eq!(
        only_group_named(r"(Path: .*)", 1, "v").unwrap(),
        r"(?<v>Path: .*)"
    );
}

#[test]
fn lucene_declines_a_count_above_its_determinisation_budget() {
    // The count Lucene can still determinise after `.*` is kept …
    let [lucene, ..] = answers(r"x[a-z]{2,100}");
    assert_eq!(lucene, ok(".*(x([a-z]){2,100}).*"));
    // … a larger one is declined, in Lucene only (the other dialects run it as it is).
    let [lucene, java, pcre, _] = answers(r"x[a-z]{128,1000}");
    assert!(
        declined(&lucene, "counted repetition above 100"),
        "{lucene:?}"
    );
    assert!(java.is_ok() && pcre.is_ok());
    let [lucene, ..] = answers(r"x{101}");
    assert!(
        declined(&lucene, "counted repetition above 100"),
        "{lucene:?}"
    );
}
