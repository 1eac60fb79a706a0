//! Fuzz target `settings`: see `cargo_warden::fuzzing::settings` for what it exercises.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cargo_warden::fuzzing::settings(data));
