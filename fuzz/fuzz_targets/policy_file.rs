//! Fuzz target `policy_file`: see `cargo_warden::fuzzing::policy_file` for what it exercises.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cargo_warden::fuzzing::policy_file(data));
