//! JSON on stdout — one compact object per line, or indented for `explain` — with every
//! character a terminal or a text viewer could act on written as a `\uXXXX` escape: not only
//! the C0 controls JSON requires, but DEL, the C1 controls (NEL), U+2028/U+2029 and the
//! bidirectional-text controls, so `jq -r` or `cat` of a report cannot be steered by input
//! text. The decoded text is exactly the input's.

use kqlport::diag::is_unsafe_on_terminal;
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use std::io::{self, Write};

/// A serde_json format (`F`: compact or pretty), with the extra escapes.
struct InertFormatter<F>(F);

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $name<W: ?Sized + Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$name(writer $(, $arg)*)
        }
    )*};
}

impl<F: Formatter> Formatter for InertFormatter<F> {
    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        end_object_key();
        begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Printable ASCII (most of any report) is safe: only bytes outside it start a
        // character that needs a look.
        let bytes = fragment.as_bytes();
        let (mut done, mut i) = (0, 0);
        while i < bytes.len() {
            if matches!(bytes[i], b' '..=b'~') {
                i += 1;
                continue;
            }
            let c = fragment[i..].chars().next().expect("i is a char boundary");
            if is_unsafe_on_terminal(c) {
                writer.write_all(&bytes[done..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                done = i + c.len_utf8();
            }
            i += c.len_utf8();
        }
        writer.write_all(&bytes[done..])
    }
}

/// Writes `value` as one JSON line.
/// The line is built in memory and written at once: stdout is line-buffered, and serde_json
/// writes a line in many small pieces.
pub fn write_line(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    let mut line = Vec::with_capacity(1024);
    let mut ser =
        serde_json::Serializer::with_formatter(&mut line, InertFormatter(CompactFormatter));
    value.serialize(&mut ser)?;
    line.push(b'\n');
    out.write_all(&line)
}

/// Writes `value` as indented JSON (no trailing newline).
pub fn write_pretty(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    let formatter = InertFormatter(PrettyFormatter::new());
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, formatter);
    value.serialize(&mut ser).map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped_and_decode_to_the_same_text() {
        let text = "a\u{1b}[31m\u{85}b\u{202e}c\u{2028}é\u{7f}";
        let mut out = Vec::new();
        write_line(&mut out, &serde_json::json!({ "m": text })).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert_eq!(
            line,
            "{\"m\":\"a\\u001b[31m\\u0085b\\u202ec\\u2028é\\u007f\"}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["m"], text);
        let mut pretty = Vec::new();
        write_pretty(&mut pretty, &serde_json::json!({ "m": [text] })).unwrap();
        let pretty = String::from_utf8(pretty).unwrap();
        assert_eq!(
            pretty,
            "{\n  \"m\": [\n    \"a\\u001b[31m\\u0085b\\u202ec\\u2028é\\u007f\"\n  ]\n}"
        );
    }
}
