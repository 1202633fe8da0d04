//! The KQL parser (`kqlport::kql::parse`) on arbitrary text: an AST or located `P…` errors.
#![no_main]

#[path = "../../cli/tests/common/full_path.rs"]
mod full_path;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        full_path::parse(text);
    }
});
