//! `fuzz/kql.dict`, the libFuzzer dictionary the fuzz targets run with, is generated from the
//! grammar's literal tokens (`grammar/kql.pest`) and lowering's function tables
//! (`kqlport::lower::known_functions`), plus the few YAML/Markdown tokens the loader keys on.
//! This test fails when it is stale; `UPDATE_FUZZ_DICT=1 cargo test -p kqlport-cli --test
//! fuzz_dictionary` rewrites it.

use std::collections::BTreeSet;
use std::path::Path;

/// Tokens of the file formats around the queries, which the grammar does not hold.
const FORMAT_TOKENS: &[&str] = &[
    "query: |\n",
    "query: >-\n",
    "query: '",
    "query: \"",
    "kind: Scheduled\n",
    "queryFrequency: 1h\n",
    "queryPeriod: 1d\n",
    "name: ",
    "id: ",
    "severity: High\n",
    "---\n",
    "```kql\n",
    "```kusto\n",
    "\n```\n",
    "&a ",
    "*a",
    "\r\n",
    "\u{feff}",
];

/// The string literals of a pest grammar, unescaped (`\"`, `\\`, `\n`, `\r`, `\t`, `\u{…}`).
fn grammar_literals(pest: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in pest.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c != '"' {
                continue;
            }
            let mut lit = String::new();
            loop {
                match chars.next() {
                    None | Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some('n') => lit.push('\n'),
                        Some('r') => lit.push('\r'),
                        Some('t') => lit.push('\t'),
                        Some('u') => {
                            let hex: String = chars
                                .by_ref()
                                .skip_while(|&c| c == '{')
                                .take_while(|&c| c != '}')
                                .collect();
                            if let Some(ch) =
                                u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                            {
                                lit.push(ch);
                            }
                        }
                        Some(other) => lit.push(other),
                        None => break,
                    },
                    Some(other) => lit.push(other),
                }
            }
            if !lit.is_empty() {
                out.insert(lit);
            }
        }
    }
    out
}

/// One libFuzzer dictionary value: printable ASCII as is, `"` and `\` escaped, the rest `\xNN`.
fn escape(token: &str) -> String {
    let mut s = String::new();
    for b in token.bytes() {
        match b {
            b'"' | b'\\' => {
                s.push('\\');
                s.push(b as char);
            }
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02X}")),
        }
    }
    s
}

fn dictionary(root: &Path) -> String {
    let pest = std::fs::read_to_string(root.join("grammar/kql.pest")).unwrap();
    let mut text = String::from(
        "# libFuzzer dictionary for the kqlport fuzz targets. Generated: do not edit.\n\
         # cli/tests/fuzz_dictionary.rs writes it (UPDATE_FUZZ_DICT=1) from grammar/kql.pest's\n\
         # literal tokens, kqlport::lower::known_functions() and a few rule-file tokens.\n",
    );
    text.push_str("\n# grammar tokens\n");
    for lit in grammar_literals(&pest) {
        text.push_str(&format!("\"{}\"\n", escape(&lit)));
    }
    text.push_str("\n# functions lowering knows\n");
    for name in kqlport::lower::known_functions() {
        text.push_str(&format!("\"{}(\"\n", escape(name)));
    }
    text.push_str("\n# rule files\n");
    for t in FORMAT_TOKENS {
        text.push_str(&format!("\"{}\"\n", escape(t)));
    }
    text
}

#[test]
fn fuzz_dictionary_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let want = dictionary(&root);
    let path = root.join("fuzz/kql.dict");
    if std::env::var_os("UPDATE_FUZZ_DICT").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "fuzz/kql.dict is stale; regenerate it with UPDATE_FUZZ_DICT=1 cargo test -p kqlport-cli --test fuzz_dictionary"
    );
    assert!(want.contains("\"isnotempty(\""));
    assert!(want.contains("\"has_any\""));
}
