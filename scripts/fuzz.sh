#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS seconds each (default 60), seeded from the test
# fixtures. Stable toolchain with RUSTC_BOOTSTRAP=1 (a fresh machine has no other); installs
# cargo-fuzz when missing. A crash fails the run and leaves its input under fuzz/artifacts/.
#   scripts/fuzz.sh          # a 60 s smoke of each target (what CI runs)
#   scripts/fuzz.sh 3600 load
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load time filter url zone)

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# Seeds: every fixture for the loader; sample values for the small parsers.
seed() { mkdir -p "fuzz/corpus/$1"; }
seed load
for f in tests/fixtures/*.tsv tests/fixtures/real/*; do cp -f "$f" "fuzz/corpus/load/seed-$(basename "$f")"; done
seed time
printf '%s' "2026-11-20 10:00:00" >fuzz/corpus/time/a; printf '%s' "1689465601070" >fuzz/corpus/time/b
printf '%s' "-2h" >fuzz/corpus/time/c; printf '%s' "9999999999999999" >fuzz/corpus/time/d
seed filter
printf '%s' 'outgw:CT-Route-2 code:5xx since:-2h' >fuzz/corpus/filter/a
printf '%s' '-code:-7,-8 reason:q850:34 account:"C_IMC Limited" dur>30s' >fuzz/corpus/filter/b
seed url
printf '%s' 'mysql://ro@[::1]:3306/vos3000?socket=/tmp/s' >fuzz/corpus/url/a
printf '[client]\nuser=a\npassword="b"\n' >fuzz/corpus/url/b
seed zone
printf '%s' 'Asia/Shanghai' >fuzz/corpus/zone/a; printf '%s' '+08:00' >fuzz/corpus/zone/b

for t in "${targets[@]}"; do
    echo "== fuzz $t for ${seconds}s"
    # -detect_leaks=0: the loader's worker threads leave thread-local channel contexts that
    # LeakSanitizer reports at exit (not a leak per input); growth is caught by -rss_limit_mb.
    cargo fuzz run "$t" "fuzz/corpus/$t" -- -max_total_time="$seconds" -max_len=1048576 -rss_limit_mb=4096 \
        -timeout=30 -detect_leaks=0
done
