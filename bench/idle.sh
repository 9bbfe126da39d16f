#!/usr/bin/env bash
# Memory with many idle SMTP connections, and what they cost the mail that flows beside them: opens N
# connections to the daemon (each reads the greeting and then stays silent), reports the daemon's resident
# memory before and with them, and the acceptance rate of MSGS messages (smtp-source, 20 sessions, 4 KiB)
# without and with them, in interleaved rounds.
#
#   bench/idle.sh [-n CONNECTIONS] [-m MSGS] [-r ROUNDS]     (defaults 10000 5000 3; -m 0: memory only)
# Loopback only; the idle clients' addresses are spread over 127.0.0.2-127.0.0.21 so the per-client cap
# of a real deployment stays meaningful (it is switched off for the run). Accepted mail goes to a local
# smtp-sink (Postfix's smtp-sink is needed for -m).
set -euo pipefail
N=10000 M=5000 ROUNDS=3
while getopts "n:m:r:" o; do case $o in n) N=$OPTARG ;; m) M=$OPTARG ;; r) ROUNDS=$OPTARG ;; *) sed -n '2,10p' "$0"; exit 2 ;; esac; done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin
WORK=$(mktemp -d /tmp/mailrelay-idle.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done; wait 2> /dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
if ((M > 0)); then for t in smtp-source smtp-sink; do command -v $t > /dev/null || { echo "$t missing (apt-get install postfix)" >&2; exit 1; }; done; fi
dotnet publish "$ROOT/src/MailRelay" -c Release -o "$WORK/app" > "$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; exit 1; }
PORT=$((20000 + RANDOM % 20000)) SINK=$((40000 + RANDOM % 10000))
smtp-sink -u nobody "127.0.0.1:$SINK" 1024 > /dev/null 2>&1 &
PIDS+=($!)
SMTP_LISTENERS="127.0.0.1:$PORT" ADMIN_LISTEN=none DATA_DIR="$WORK/data" MAIL_HOSTNAME=bench.example LOG_LEVEL=Warning \
    MAIL_DOMAINS=bench.test DKIM_ENABLED=false DELIVERY_ROUTES="{\"bench.test\":\"127.0.0.1:$SINK\"}" \
    SMTP_MAX_SESSIONS=$((N + 100)) SMTP_MAX_SESSIONS_PER_CLIENT=0 "$WORK/app/MailRelay" > "$WORK/daemon.log" 2>&1 &
PID=$!
PIDS+=($PID)
for _ in $(seq 300); do (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
accept_rate() {   # messages/s of one smtp-source run
    local t0 t1
    t0=$(date +%s.%N)
    smtp-source -s 20 -m "$M" -l 4096 -f app@bench.test -t user@bench.test "127.0.0.1:$PORT" > "$WORK/source.out" 2>&1 \
        || { echo "smtp-source failed: $(tail -1 "$WORK/source.out")" >&2; exit 1; }
    t1=$(date +%s.%N)
    awk -v n="$M" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", n/(b-a)}'
}
open_idle() {   # holds N idle connections until close_idle
    rm -f "$WORK/go" "$WORK/client.out"; mkfifo "$WORK/go"
    /usr/bin/python3 - "$PORT" "$N" "$WORK/go" > "$WORK/client.out" 2>&1 <<'PY' &
import socket, sys
port, n, fifo = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = []
for i in range(n):
    s = socket.socket(); s.bind((f"127.0.0.{2 + i % 20}", 0)); s.connect(("127.0.0.1", port))
    banner = s.recv(512)
    assert banner.startswith(b"220"), banner
    socks.append(s)
print(f"{n} idle connections open", flush=True)
open(fifo).read()          # hold them until told to stop
PY
    CLIENT=$!
    until grep -q "idle connections open" "$WORK/client.out" 2> /dev/null; do
        kill -0 "$CLIENT" 2> /dev/null || { cat "$WORK/client.out"; exit 1; }
        sleep 0.5
    done
}
close_idle() { echo > "$WORK/go"; wait "$CLIENT" || true; }

# Warm the daemon up (its hot paths are compiled again with profile data over the first messages).
/usr/bin/python3 - "$PORT" 200 <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port)); s.recv(512); socks.append(s)
for s in socks: s.sendall(b"QUIT\r\n"); s.recv(512); s.close()
PY
((M > 0)) && { accept_rate > /dev/null; accept_rate > /dev/null; }
before=$(rss)
echo "connections=$N msgs=$M rounds=$ROUNDS cores=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) $(date -u +%F)"
open_idle
sleep 2   # let the daemon's allocations settle before reading its resident size
with=$(rss)
echo "rss_before=$((before / 1024)) MiB rss_with=$((with / 1024)) MiB per_connection=$(((with - before) * 1024 / N)) bytes"
close_idle
((M > 0)) || exit 0
for ((r = 1; r <= ROUNDS; r++)); do
    without=$(accept_rate)
    open_idle
    with_idle=$(accept_rate)
    close_idle
    echo "round $r: accept without $without msg/s, with $N idle $with_idle msg/s"
    echo "$without $with_idle" >> "$WORK/rates"
done
awk 'function median(list,   a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { w = w " " $1; i = i " " $2 } END { a = median(w); b = median(i); printf "median accept: without %.0f msg/s, with the idle connections %.0f msg/s (%.0f%%)\n", a, b, 100 * b / a }' "$WORK/rates"
