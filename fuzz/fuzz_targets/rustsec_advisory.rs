//! Fuzz target `rustsec_advisory`: see `cargo_warden::fuzzing::rustsec_advisory` for what it exercises.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cargo_warden::fuzzing::rustsec_advisory(data));
