#!/usr/bin/env bash
# Memory with many idle SMTP connections: opens N connections to the daemon (each reads the greeting
# and then stays silent) and reports the daemon's resident memory before and with them.
#
#   bench/idle.sh [-n CONNECTIONS]     (default 5000)
# Loopback only; the client addresses are spread over 127.0.0.2-127.0.0.21 so the per-client cap
# of a real deployment stays meaningful (it is switched off for the run).
set -euo pipefail
N=5000
while getopts "n:" o; do case $o in n) N=$OPTARG ;; *) exit 2 ;; esac; done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/mailrelay-idle.XXXXXX)
PID=""
cleanup() { [[ -n $PID ]] && kill "$PID" 2> /dev/null && wait "$PID" 2> /dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
dotnet publish "$ROOT/src/MailRelay" -c Release -o "$WORK/app" > "$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; exit 1; }
PORT=$((20000 + RANDOM % 20000))
SMTP_LISTENERS="127.0.0.1:$PORT" ADMIN_LISTEN=none DATA_DIR="$WORK/data" MAIL_HOSTNAME=bench.example LOG_LEVEL=Warning \
    SMTP_MAX_SESSIONS=$((N + 100)) SMTP_MAX_SESSIONS_PER_CLIENT=0 "$WORK/app/MailRelay" > "$WORK/daemon.log" 2>&1 &
PID=$!
for _ in $(seq 100); do (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
/usr/bin/python3 - "$PORT" 200 <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port)); s.recv(512); socks.append(s)
for s in socks: s.sendall(b"QUIT\r\n"); s.recv(512); s.close()
PY
before=$(rss)
mkfifo "$WORK/go"
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
sleep 2   # let the daemon's allocations settle before reading its resident size
with=$(rss)
echo > "$WORK/go"; wait $CLIENT || true
echo "connections=$N rss_before=$((before / 1024)) MiB rss_with=$((with / 1024)) MiB per_connection=$(( (with - before) * 1024 / N )) bytes"
