//! Fuzz target `osv_record`: see `cargo_warden::fuzzing::osv_record` for what it exercises.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cargo_warden::fuzzing::osv_record(data));
