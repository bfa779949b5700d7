#!/usr/bin/env bash
# Measures the console while following, in a real terminal (tmux): 2 million calls already
# loaded (the benchmark corpus, followed as a file) and the real-time feed on loopback
# receiving RATE CDRs a second (default 500) for SECS seconds (default 20). Prints:
# - latency: from sending a marked call to the console showing it at the top of the table;
# - refresh cost: the worker's time per refresh (CDRSCOPE_BENCH_LOG), while calls arrive;
# - CPU while calls arrive and when they stop (idle), and memory before and after.
# With BENCH_DB=1 (under scripts/with-mariadb.sh) the calls are written into today's e_cdr
# table instead, and the console follows the database.
# Figures depend on the machine; compare runs on the same one.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${RATE:-500}
secs=${SECS:-20}
. scripts/bench-lib.sh
work=$(mktemp -d /tmp/cdrscope-live.XXXXXX)
trap 'tm kill-server 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$corpus" "$work/cdr.txt"
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "${BENCH_DB:-}" = 1 ]; then
    : "${CDRSCOPE_TEST_MYSQL_ADMIN:?run under scripts/with-mariadb.sh}"
    dbport=${CDRSCOPE_TEST_MYSQL_ADMIN##*:}
    table=e_cdr_$(date -u +%Y%m%d)
    sql() { MYSQL_PWD=$CDRSCOPE_TEST_MYSQL_ADMIN_PASSWORD mariadb --no-defaults -h 127.0.0.1 -P "$dbport" -u cdrscope_admin "$@"; }
    ddl=$(grep -v '^--' tests/fixtures/e_cdr_ddl_mysql8_dump_excerpt.sql | sed "s/CREATE TABLE \`e_cdr\`/CREATE TABLE \`$table\`/")
    sql -e "DROP DATABASE IF EXISTS cdrscope_live; CREATE DATABASE cdrscope_live; USE cdrscope_live; $ddl"
    source_arg="mysql://cdrscope_ro@127.0.0.1:$dbport/cdrscope_live"
    envs="MYSQL_PWD=$CDRSCOPE_TEST_MYSQL_RO_PASSWORD"
else
    source_arg="udp://127.0.0.1:$port"
    envs=""
fi
start=$(now)
tm new-session -d -s b -x 160 -y 48 "env TZ=UTC CDRSCOPE_BENCH_LOG=$work/refresh.log $envs ${BENCH_ENV:-} $bin $work/cdr.txt $source_arg --keep 30d"
wait_for "2,000,000/2,000,000 calls" 120
loaded=$(now)
pid=$(pgrep -f "^$bin $work/cdr.txt" | head -1)
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
sleep 2
rss0=$(rss)

# The calls: forwarded rows (the real layout) with the current time, RATE a second; one
# marked call in the middle (dated a day ahead, so the newest), whose send time is written
# down.
cat > "$work/send.py" <<'EOF'
import os, socket, sys, time
rate, secs, port, mode = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
row = open("tests/fixtures/real/realtime_forwarded_row.csv").read().strip()
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setblocking(False)
mark_at = rate * secs // 2
batch = []
def db_flush():
    if batch:
        sys.stdout.write("INSERT INTO e_cdr_%s (id, flowno, callere164, calleee164, starttime, stoptime, holdtime, endreason, calleegatewayid, callergatewayid, softswitchname) VALUES %s;\n" % (time.strftime("%Y%m%d", time.gmtime()), ",".join(batch)))
        sys.stdout.flush()
        batch.clear()
t0 = time.time()
for n in range(rate * secs):
    target = t0 + n / rate
    delay = target - time.time()
    if delay > 0:
        time.sleep(delay)
    ms = int(time.time() * 1000)
    callee = "S77777" if n == mark_at else "S%09d" % n
    if n == mark_at:
        ms += 86_400_000  # dated a day ahead: it stays at the top of the table once shown
    if n == mark_at:
        open(os.environ["MARK"], "w").write(str(time.time_ns()))
    if mode == "udp":
        d = row.replace("5166923438", str(7_000_000_000 + n)).replace("S0099966507944325", callee).replace("1469683084946", str(ms))
        sock.sendto(d.encode(), ("127.0.0.1", port))
        try:
            while True:
                sock.recv(64)
        except BlockingIOError:
            pass
    else:
        batch.append("(%d,%d,'8613800000','%s',%d,%d,0,-9,'OUT-1','IN-1','VOS')" % (n + 1, 7_000_000_000 + n, callee, ms, ms))
        if len(batch) >= rate // 20 or n == mark_at:
            db_flush()
db_flush()
EOF
mode=udp
[ "${BENCH_DB:-}" = 1 ] && mode=db
export MARK="$work/mark"
c0=$(ticks)
if [ "$mode" = db ]; then
    python3 "$work/send.py" "$rate" "$secs" "$port" db | sql cdrscope_live &
else
    python3 "$work/send.py" "$rate" "$secs" "$port" udp &
fi
sender=$!
while [ ! -f "$MARK" ]; do sleep 0.05; done
mark=$(cat "$MARK")
wait_for "S77777" 30
seen=$(now)
rss_mid=$(rss)
log_at=$(wc -l < "$work/refresh.log")
# Memory every 10 s while calls arrive: it should grow with the calls kept, no faster.
samples=""
next=$(( $(now) + 10000000000 ))
while kill -0 "$sender" 2>/dev/null; do
    sleep 0.2
    if [ "$(now)" -ge "$next" ]; then
        samples="$samples $(( ($(now) - mark) / 1000000000 + secs / 2 ))s:$(( $(rss) / 1024 ))MiB"
        next=$(( next + 10000000000 ))
    fi
done
c1=$(ticks)
rss1=$(rss)
# The findings of the last calls may still be due (they are asked for every 2 s at most,
# and every ten times their last duration): idle starts after them.
sleep 15
i0=$(ticks)
sleep 10
i1=$(ticks)
rss_idle=$(rss)
shown=$(tm capture-pane -p -t b | grep -o '[0-9,]*/[0-9,]* calls' | head -1)
# Refresh cost: the worker's time per refresh while calls arrive (CDRSCOPE_BENCH_LOG), from
# the marked call on (the first refreshes after loading count everything once).
tail -n +"$((log_at + 1))" "$work/refresh.log" | awk '$1 == "refresh" {print $2}' | sort -n \
    | awk '{a[NR]=$1} END {if (NR) printf "refresh (worker):       median %.1f ms, 95th %.1f ms, max %.1f ms over %d refreshes\n", a[int((NR+1)/2)], a[int(NR*0.95+0.5)], a[NR], NR}'
echo "source:                 $mode, $rate calls/s for $secs s on top of 2,000,000 loaded ($shown at the end)"
echo "all rows loaded:        $(( (loaded - start) / 1000000 )) ms after launch"
echo "latency:                $(( (seen - mark) / 1000000 )) ms from sending the marked call to seeing it (tmux polling adds up to 5 ms)"
echo "CPU while calls arrive: $(awk -v d=$((c1 - c0)) -v hz="$hz" -v s="$secs" 'BEGIN { printf "%.1f%%", 100 * d / hz / s }') of one core"
echo "idle CPU over 10 s:     $(awk -v d=$((i1 - i0)) -v hz="$hz" 'BEGIN { printf "%.2f%%", 100 * d / hz / 10 }')"
echo "memory:                 $((rss0 / 1024)) MiB before, $((rss_mid / 1024)) MiB after $((rate * secs / 2)) more calls, $((rss1 / 1024)) MiB after $((rate * secs)), $((rss_idle / 1024)) MiB after 25 s idle"
[ -n "$samples" ] && echo "memory while arriving:  $samples (seconds since the first call: RSS)"
echo "machine:                $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
