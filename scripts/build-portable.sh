#!/usr/bin/env bash
# Builds cdrscope for x86_64 Linux with glibc 2.17 as its floor (CentOS 7 and newer, where
# VOS3000 runs), with cargo-zigbuild and Zig (both from PyPI; installed here when missing),
# stripped. Prints the binary's size and the newest glibc symbol version it needs, and fails
# if that is newer than 2.17 or the size is over 15 MB.
#   scripts/build-portable.sh            -> target/x86_64-unknown-linux-gnu/portable/cdrscope
set -euo pipefail
cd "$(dirname "$0")/.."

floor=2.17
target=x86_64-unknown-linux-gnu
max_bytes=$((15 * 1024 * 1024))

if ! command -v cargo-zigbuild >/dev/null 2>&1 || ! python3 -m ziglang version >/dev/null 2>&1; then
    echo "== installing ziglang and cargo-zigbuild (PyPI)"
    python3 -m pip install -q ziglang cargo-zigbuild
fi

echo "== cargo zigbuild --profile portable --target $target.$floor"
cargo zigbuild --profile portable --target "$target.$floor" --bin cdrscope

bin="target/$target/portable/cdrscope"
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }

size=$(stat -c %s "$bin")
# The newest GLIBC_x.y the binary asks for (dynamic symbol versions).
newest=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
echo "binary:         $bin"
echo "size:           $size bytes ($(awk "BEGIN {printf \"%.1f\", $size / 1048576}") MiB; limit 15 MiB)"
echo "newest glibc:   GLIBC_$newest (floor $floor)"
echo "version:        $("$bin" --version)"

fail=0
if [ "$(printf '%s\n%s\n' "$newest" "$floor" | sort -V | tail -n 1)" != "$floor" ]; then
    echo "FAIL: the binary needs GLIBC_$newest, newer than $floor:" >&2
    objdump -T "$bin" | grep -E "GLIBC_$newest\b" | head -20 >&2
    fail=1
fi
if [ "$size" -gt "$max_bytes" ]; then
    echo "FAIL: $size bytes is over the 15 MiB target" >&2
    fail=1
fi
exit "$fail"
