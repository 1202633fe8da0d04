//! Parsing then lowering (`kqlport::lower::lower`) on arbitrary text: IR or located errors.
#![no_main]

#[path = "../../cli/tests/common/full_path.rs"]
mod full_path;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        full_path::lower(text);
    }
});
