//! Fuzz target `dependency_code`: see `cargo_warden::fuzzing::dependency_code` for what it exercises.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cargo_warden::fuzzing::dependency_code(data));
