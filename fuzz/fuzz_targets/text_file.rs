//! Fuzz target `text_file`: see `cargo_warden::fuzzing::text_file` for what it exercises.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cargo_warden::fuzzing::text_file(data));
