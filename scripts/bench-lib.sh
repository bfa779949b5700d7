# Shared by the console benchmarks (sourced, from the project root): the 2-million-row corpus,
# the release binary, a tmux server of the script's own (`tm`), and a wait for text on its
# screen (`wait_for TEXT SECONDS`, session `b`).
corpus=target/bench-corpus/2000000.txt
if [ ! -f "$corpus" ]; then
    echo "== generating the corpus (cargo bench --bench load)"
    cargo bench --bench load >/dev/null
fi
cargo build --release -q
bin=$PWD/target/release/cdrscope
sock=cdrscope-bench-$$
tm() { tmux -L "$sock" "$@"; }
now() { date +%s%N; }
wait_for() { # text, timeout seconds
    local end=$(( $(now) + $2 * 1000000000 ))
    while ! tm capture-pane -p -t b | grep -qF -- "$1"; do
        if [ "$(now)" -gt "$end" ]; then echo "timed out waiting for: $1" >&2; tm capture-pane -p -t b >&2; exit 1; fi
        sleep 0.005
    done
}
wait_gone() { # text, timeout seconds
    local end=$(( $(now) + $2 * 1000000000 ))
    while tm capture-pane -p -t b | grep -qF -- "$1"; do
        if [ "$(now)" -gt "$end" ]; then echo "timed out waiting for this to go: $1" >&2; exit 1; fi
        sleep 0.005
    done
}
