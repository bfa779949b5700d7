#!/usr/bin/env bash
# Runs a command with a private MariaDB on loopback (installing Debian's mariadb-server
# first if it is missing and we may, and tmux for the console tests), then stops the server. The command finds the server
# in CDRSCOPE_TEST_MYSQL_* variables: an admin user, and a read-only user (SELECT only) as
# cdrscope should be run. Used by scripts/test.sh and the database benchmark:
#   scripts/with-mariadb.sh cargo bench --bench mysql
# Without a server, database tests skip with a message (except under CI, where they fail).
set -euo pipefail
cd "$(dirname "$0")/.."

have_server() { command -v mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1; }

if ! have_server && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing mariadb-server (Debian package) for the database tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q mariadb-server mariadb-client >/tmp/cdrscope-apt.log 2>&1 \
        || { apt-get update -q >>/tmp/cdrscope-apt.log 2>&1 && apt-get install -y -q mariadb-server mariadb-client >>/tmp/cdrscope-apt.log 2>&1; } \
        || { echo "could not install mariadb-server; see /tmp/cdrscope-apt.log" >&2; tail -20 /tmp/cdrscope-apt.log >&2; }
fi

# The console's end-to-end tests drive it in a real terminal through tmux.
if ! command -v tmux >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing tmux (Debian package) for the console tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q tmux >>/tmp/cdrscope-apt.log 2>&1 \
        || { apt-get update -q >>/tmp/cdrscope-apt.log 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q tmux >>/tmp/cdrscope-apt.log 2>&1; } \
        || echo "could not install tmux; see /tmp/cdrscope-apt.log" >&2
fi

dir=""
cleanup() {
    if [ -n "$dir" ] && [ -f "$dir/pid" ]; then
        local pid
        pid=$(cat "$dir/pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    if [ -n "$dir" ]; then rm -rf "$dir"; fi
}
trap cleanup EXIT

# A free loopback port: nothing answers on it now (bash's /dev/tcp), picked at random from the
# dynamic range; if the server still cannot bind it (taken in between), try another.
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_server() {
    local port=$1
    rm -rf "$dir/data" "$dir/sock" "$dir/pid"
    mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
        --auth-root-authentication-method=normal >"$dir/install.log" 2>&1
    mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --pid-file="$dir/pid" \
        --port="$port" --bind-address=127.0.0.1 --user="$(id -un)" --skip-log-bin \
        --local-infile=0 >"$dir/server.log" 2>&1 &
    local server=$!
    for _ in $(seq 1 150); do
        if mariadb-admin --no-defaults --socket="$dir/sock" -uroot ping >/dev/null 2>&1; then
            # Up on the socket; it must also listen on the port (a taken port fails the bind).
            if grep -q "Can't start server: Bind on TCP/IP port" "$dir/server.log" 2>/dev/null; then break; fi
            return 0
        fi
        kill -0 "$server" 2>/dev/null || break
        sleep 0.2
    done
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    return 1
}

if have_server; then
    dir=$(mktemp -d /tmp/cdrscope-mariadb.XXXXXX)
    up=""
    for _ in $(seq 1 20); do
        port=${CDRSCOPE_TEST_MYSQL_PORT:-$((20000 + RANDOM % 30000))}
        port_is_free "$port" || continue
        echo "== starting a private MariaDB on 127.0.0.1:$port ($dir)"
        if start_server "$port"; then up=1; break; fi
        echo "   it did not start on port $port; trying another" >&2
        [ -z "${CDRSCOPE_TEST_MYSQL_PORT:-}" ] || break
    done
    if [ -z "$up" ]; then
        echo "MariaDB did not start; its log:" >&2
        tail -30 "$dir/server.log" >&2
        exit 1
    fi
    mariadb --no-defaults --socket="$dir/sock" -uroot <<'SQL'
CREATE USER 'cdrscope_admin'@'127.0.0.1' IDENTIFIED BY 'admin-pw';
GRANT ALL PRIVILEGES ON *.* TO 'cdrscope_admin'@'127.0.0.1';
CREATE USER 'cdrscope_ro'@'127.0.0.1' IDENTIFIED BY 'ro-pw';
GRANT SELECT ON vos3000.* TO 'cdrscope_ro'@'127.0.0.1';
GRANT SELECT ON vos3000db.* TO 'cdrscope_ro'@'127.0.0.1';
GRANT SELECT ON cdrscope_bench.* TO 'cdrscope_ro'@'127.0.0.1';
GRANT SELECT ON cdrscope_follow.* TO 'cdrscope_ro'@'127.0.0.1';
GRANT SELECT ON cdrscope_live.* TO 'cdrscope_ro'@'127.0.0.1';
CREATE USER 'cdrscope_ro'@'localhost' IDENTIFIED BY 'ro-pw';
GRANT SELECT ON vos3000.* TO 'cdrscope_ro'@'localhost';
SQL
    export CDRSCOPE_TEST_MYSQL_ADMIN="mysql://cdrscope_admin@127.0.0.1:$port"
    export CDRSCOPE_TEST_MYSQL_ADMIN_PASSWORD="admin-pw"
    export CDRSCOPE_TEST_MYSQL_RO="mysql://cdrscope_ro@127.0.0.1:$port"
    export CDRSCOPE_TEST_MYSQL_RO_PASSWORD="ro-pw"
    export CDRSCOPE_TEST_MYSQL_SOCKET="$dir/sock"
    # Restarts the server in place (same data, port and socket): the follow test proves a
    # restart mid-follow loses and doubles nothing.
    cat >"$dir/restart.sh" <<RESTART
#!/usr/bin/env bash
set -u
pid=\$(cat "$dir/pid" 2>/dev/null || true)
[ -n "\$pid" ] && kill "\$pid" 2>/dev/null
for _ in \$(seq 1 150); do [ -n "\$pid" ] && kill -0 "\$pid" 2>/dev/null || break; sleep 0.1; done
nohup mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --pid-file="$dir/pid" \\
    --port="$port" --bind-address=127.0.0.1 --user="$(id -un)" --skip-log-bin \\
    --local-infile=0 >>"$dir/server.log" 2>&1 &
for _ in \$(seq 1 150); do
    mariadb-admin --no-defaults --socket="$dir/sock" -uroot ping >/dev/null 2>&1 && exit 0
    sleep 0.2
done
exit 1
RESTART
    chmod +x "$dir/restart.sh"
    export CDRSCOPE_TEST_MYSQL_RESTART="$dir/restart.sh"
else
    echo "== no MariaDB server available: database tests and benchmarks will skip (outside CI)"
fi

"$@"
