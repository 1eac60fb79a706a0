#!/usr/bin/env bash
# Runs one fuzz target: fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`). The corpus is seeded from the
# repository's fixtures (and ../shared's OSV export when it is there) plus every crash input
# already found; a new crash input is written to fuzz/artifacts/TARGET/. Copy it to
# fixtures/fuzz-regressions/TARGET/ with a name saying what it broke, fix the cause, and
# `cargo test --test fuzz_regressions` replays it from then on.
# Limits: 1 GiB of memory and 10 s per input; either one exceeded is a crash.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-1800}
shift $(( $# < 2 ? $# : 2 ))
corpus=corpus/$target
mkdir -p "$corpus"

seed() {
  while IFS= read -r -d '' file; do
    cp "$file" "$corpus/seed-$(sha1sum < "$file" | cut -c1-16)"
  done < <(find "$@" -type f -size -64k -print0 2>/dev/null)
}
case $target in
  lockfile) seed ../fixtures -name '*.lock' ;;
  osv_record) [ -d ../../shared/osv/crates ] && seed ../../shared/osv/crates -name 'RUSTSEC-202[45]-00[0-4]*.json' ;;
  rustsec_advisory) seed ../fixtures/advisory-db -name '*.md' ;;
  settings) seed ../fixtures ../src/templates .. -maxdepth 3 \( -name warden.toml -o -name Cargo.toml \) ;;
  policy_file) seed ../rules/policies -name '*.toml' ;;
  rust_source) seed ../fixtures/code ../fixtures/secrets ../fixtures/demo -name '*.rs' ;;
  text_file) seed ../fixtures/secrets ../fixtures/demo -type f ! -name '*.rs' ;;
  dependency_code) seed ../fixtures/supply-chain ../fixtures/code -name '*.rs' ;;
  *) echo "fuzz/run.sh: unknown target $target (see fuzz/fuzz_targets/)" >&2; exit 2 ;;
esac
[ -d "../fixtures/fuzz-regressions/$target" ] && seed "../fixtures/fuzz-regressions/$target"

# No sanitizer: the code is safe Rust, and ASan's larger frames would overflow stacks that the
# depth bounds size for a normal build.
exec cargo +nightly fuzz run -O -s none "$target" "$corpus" -- \
  -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 -max_len=65536 -print_final_stats=1 "$@"
