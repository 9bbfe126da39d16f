#!/usr/bin/env bash
# How a freshly started MailRelay ramps up: consecutive batches through one running relay (smtp-source →
# MailRelay → smtp-sink), each batch's end-to-end rate and the relay's CPU per message. Loopback only.
#
#   bench/warmup.sh [-b BATCHES] [-n MSGS_PER_BATCH] [-s SESSIONS] [-l BYTES] [-u]      (defaults 8 5000 20 4096)
# -u runs MailRelay unsigned (DKIM_ENABLED=false). Needs postfix (smtp-source, smtp-sink) and dotnet.
set -euo pipefail
B=8 N=5000 S=20 L=4096 DKIM=true
while getopts "b:n:s:l:u" o; do
    case $o in b) B=$OPTARG ;; n) N=$OPTARG ;; s) S=$OPTARG ;; l) L=$OPTARG ;; u) DKIM=false ;; *) sed -n '2,7p' "$0"; exit 2 ;; esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin
for t in smtp-source smtp-sink; do command -v $t > /dev/null || { echo "$t missing (apt-get install postfix)" >&2; exit 1; }; done
WORK=$(mktemp -d /tmp/mailrelay-warmup.XXXXXX)
chmod 755 "$WORK"
BASE=$((20000 + RANDOM % 20000))
SINK=$BASE OURS=$((BASE + 1)) ADMIN=$((BASE + 2))
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
    wait 2> /dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
wait_port() { for _ in $(seq 150); do (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

smtp-sink -u nobody -c "127.0.0.1:$SINK" 1024 > "$WORK/sink.log" 2>&1 &
PIDS+=($!)
wait_port "$SINK"
sink_count() { tail -c 300 "$WORK/sink.log" | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2; }

dotnet publish "$ROOT/src/MailRelay" -c Release -o "$WORK/app" > "$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; exit 1; }
SMTP_LISTENERS="127.0.0.1:$OURS" ADMIN_LISTEN="127.0.0.1:$ADMIN" DATA_DIR="$WORK/data" MAIL_HOSTNAME=relay.bench.test \
    MAIL_DOMAINS=bench.test DKIM_ENABLED=$DKIM DKIM_KEY_SIZE=2048 \
    DELIVERY_ROUTES="{\"bench.test\":\"127.0.0.1:$SINK\"}" LOG_LEVEL=Warning SMTP_MAX_SESSIONS_PER_CLIENT=0 \
    "$WORK/app/MailRelay" > "$WORK/mailrelay.log" 2>&1 &
RELAY=$!
PIDS+=($RELAY)
wait_port "$OURS"

echo "batches=$B msgs=$N sessions=$S body=${L}B dkim=$DKIM cores=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) $(date -u +%F)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$RELAY/stat"; }
tick=$(getconf CLK_TCK)
for ((b = 1; b <= B; b++)); do
    base=$(sink_count); base=${base:-0}
    c0=$(cpu_ticks) t0=$(date +%s.%N)
    smtp-source -s "$S" -m "$N" -l "$L" -f app@bench.test -t user@bench.test "127.0.0.1:$OURS" > "$WORK/source.out" 2>&1 \
        || { echo "smtp-source failed: $(tail -1 "$WORK/source.out")" >&2; exit 1; }
    for _ in $(seq 30000); do got=$(sink_count); ((${got:-0} - base >= N)) && break; sleep 0.02; done
    ((${got:-0} - base >= N)) || { echo "only $((got - base)) of $N reached the sink" >&2; exit 1; }
    t1=$(date +%s.%N) c1=$(cpu_ticks)
    awk -v b="$b" -v n="$N" -v a="$t0" -v z="$t1" -v c=$((c1 - c0)) -v hz="$tick" \
        'BEGIN{printf "batch %d (messages %d-%d): %.0f msg/s end to end, %.2f ms CPU per message\n", b, (b-1)*n+1, b*n, n/(z-a), c*1000/hz/n}'
done
