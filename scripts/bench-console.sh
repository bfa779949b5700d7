#!/usr/bin/env bash
# Measures the console in a real terminal (tmux) on the 2-million-row benchmark corpus:
# time to first frame, time to all rows loaded, keystroke-to-frame for a filter over all rows,
# and CPU used while idle. Figures depend on the machine; compare runs on the same one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
trap 'tm kill-server 2>/dev/null || true' EXIT
start=$(now)
tm new-session -d -s b -x 160 -y 48 "env TZ=UTC $bin $corpus"
wait_for "cdrscope" 10
first=$(now)
wait_for "2,000,000/2,000,000 calls" 60
loaded=$(now)
sleep 1
want=$("$bin" summary --tz UTC "$corpus" --filter outgw:CT-Route-2 --json | python3 -c 'import json,sys; print("{:,}".format(json.load(sys.stdin)["rows"]))')
tm send-keys -t b "/"
tm send-keys -t b -l "outgw:CT-Route-2"
wait_for "calls match" 10
sleep 0.5
t0=$(now)
tm send-keys -t b Enter
wait_for "$want/2,000,000 calls" 20
t1=$(now)
# Key to frame for the moves an operator makes in an incident: clear the filter, sort by
# duration over every call, filter and clear while sorted, search.
timed() { # label, key(s), text to wait for
    sleep 0.5
    local a; a=$(now)
    tm send-keys -t b "$2"
    wait_for "$3" 20
    wait_gone "filtering..." 20
    local b; b=$(now)
    printf '%-24s%s ms\n' "$1:" "$(( (b - a) / 1000000 ))" >> "$results"
}
results=$(mktemp)
timed "clear the filter" x "2,000,000/2,000,000 calls"
timed "sort by duration" s "sorted by duration"
timed "reverse the sort" S "ascending"
timed "reverse again" S "descending"
tm send-keys -t b "/"
tm send-keys -t b -l "outgw:CT-Route-2"
wait_for "calls match" 10
timed "filter, sorted" Enter "$want/2,000,000 calls"
timed "clear, sorted" x "2,000,000/2,000,000 calls"
timed "next page" PageDown "Call 45 of"
timed "gateway column" Left "Out GW"
pid=$(pgrep -f "$bin $corpus" | head -1)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
sleep 2
c0=$(ticks)
sleep 10
c1=$(ticks)
hz=$(getconf CLK_TCK)
echo "first frame:            $(( (first - start) / 1000000 )) ms after launch"
echo "all rows loaded:        $(( (loaded - start) / 1000000 )) ms after launch"
echo "filter over 2M rows:    $(( (t1 - t0) / 1000000 )) ms from Enter to the new frame (tmux polling adds up to 5 ms)"
cat "$results"; rm -f "$results"
echo "idle CPU over 10 s:     $(awk -v d=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.2f%%", 100 * d / hz / 10 }')"
echo "machine:                $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
