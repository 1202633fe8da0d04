//! The rule loader (`kqlport::sentinel::load_as`) on arbitrary bytes: the first byte picks the
//! format (YAML rule, Markdown, bare KQL, sniffed), the rest is the file. A loaded file's query
//! maps must stay inside it; an error must be located and renderable.
#![no_main]

#[path = "../../cli/tests/common/full_path.rs"]
mod full_path;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (kind, name, bytes) = full_path::split_kind(data);
    full_path::load(kind, name, bytes);
});
