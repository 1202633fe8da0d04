//! The whole path on arbitrary bytes, as `kqlport convert` runs it: load (the first byte picks
//! the format), then every query through parse, lower and all four backends (SPL, ES|QL, EQL,
//! Sigma), with diagnostics mapped back into the file.
#![no_main]

#[path = "../../cli/tests/common/full_path.rs"]
mod full_path;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (kind, name, bytes) = full_path::split_kind(data);
    full_path::convert_file(kind, name, bytes);
});
