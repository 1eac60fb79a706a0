//! Fuzz target `rust_source`: see `cargo_warden::fuzzing::rust_source` for what it exercises.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cargo_warden::fuzzing::rust_source(data));
