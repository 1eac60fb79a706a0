//! Panics inside libraries the scanner hands untrusted data to (rustsec's advisory parser,
//! cargo-lock), caught at that boundary so one bad input is a warning or an error naming it,
//! never the end of the scan.
//!
//! The library never prints, but a panic prints through the process's panic hook before it is
//! caught. So while a `catch` is running, a thread-local flag says so, and the binary's hook
//! (the only one) stays quiet for those panics: the caller reports them in its own words.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`; a panic inside it comes back as its message.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = CATCHING.with(|c| c.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(outer));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

/// Whether this thread is inside [`catch`]: a panic now is reported by its caller.
pub fn catching() -> bool {
    CATCHING.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_comes_back_as_its_message_and_the_flag_is_restored() {
        let result: Result<(), String> = catch(|| {
            assert!(catching());
            panic!("bad input at byte {}", 20)
        });
        assert_eq!(result, Err("bad input at byte 20".to_owned()));
        assert!(!catching());
        assert_eq!(catch(|| 7), Ok(7));
    }
}
