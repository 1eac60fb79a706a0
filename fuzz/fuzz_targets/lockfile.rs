//! Fuzz target `lockfile`: see `cargo_warden::fuzzing::lockfile` for what it exercises.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cargo_warden::fuzzing::lockfile(data));
