#!/usr/bin/env bash
# Acceptance benchmark: messages/s accepted into MailRelay's durable spool, loaded by Postfix's
# smtp-source (20 parallel sessions of 4 KiB messages, one connection per message by default).
# Loopback only. Publishes the daemon in Release, runs it on a fresh data directory per run, and
# reports each run and the median.
#
#   bench/accept.sh [-n MSGS] [-s SESSIONS] [-l BYTES] [-r RUNS] [-d]
#     -d  reuse connections (smtp-source -d) instead of one connection per message
# Needs: smtp-source (apt-get install postfix), dotnet.
set -euo pipefail
N=10000 S=20 L=4096 RUNS=5 REUSE=""
while getopts "n:s:l:r:d" o; do
    case $o in n) N=$OPTARG ;; s) S=$OPTARG ;; l) L=$OPTARG ;; r) RUNS=$OPTARG ;; d) REUSE=-d ;;
        *) sed -n '2,12p' "$0"; exit 2 ;; esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin
command -v smtp-source > /dev/null || { echo "smtp-source missing (apt-get install postfix)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/mailrelay-bench.XXXXXX)
PID=""
cleanup() { [[ -n $PID ]] && kill "$PID" 2> /dev/null && wait "$PID" 2> /dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

dotnet publish "$ROOT/src/MailRelay" -c Release -o "$WORK/app" > "$WORK/publish.log" 2>&1 \
    || { cat "$WORK/publish.log"; exit 1; }
PORT=$((20000 + RANDOM % 20000))

start() {
    rm -rf "$WORK/data"
    SMTP_LISTENERS="127.0.0.1:$PORT" ADMIN_LISTEN="127.0.0.1:$((PORT + 1))" DATA_DIR="$WORK/data" \
        MAIL_HOSTNAME=bench.example LOG_LEVEL=Warning SMTP_MAX_SESSIONS_PER_CLIENT=0 \
        "$WORK/app/MailRelay" > "$WORK/daemon.log" 2>&1 &
    PID=$!
    for _ in $(seq 100); do
        (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null && return 0
        kill -0 "$PID" 2> /dev/null || { cat "$WORK/daemon.log"; exit 1; }
        sleep 0.1
    done
    echo "daemon did not start"; cat "$WORK/daemon.log"; exit 1
}
stop() { kill "$PID"; wait "$PID" 2> /dev/null || true; PID=""; }
now() { date +%s.%N; }

echo "msgs=$N sessions=$S body=${L}B reuse=${REUSE:-no} runs=$RUNS cores=$(nproc) $(date -u +%F)"
rates=()
start
smtp-source -s "$S" -m 1000 -l "$L" -f a@bench.example -t b@example.org "127.0.0.1:$PORT" > /dev/null  # JIT warm-up
stop
for ((i = 1; i <= RUNS; i++)); do
    start
    t0=$(now)
    smtp-source $REUSE -s "$S" -m "$N" -l "$L" -f a@bench.example -t b@example.org "127.0.0.1:$PORT" > "$WORK/source.out" 2>&1 \
        || { echo "run $i: smtp-source failed: $(tail -1 "$WORK/source.out")"; exit 1; }
    t1=$(now)
    queued=$(find "$WORK/data/queue/active" -type f | wc -l)
    stop
    r=$(awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", n/(b-a)}')
    echo "run $i: $r msg/s ($(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s), $queued messages in the spool"
    ((queued == N)) || { echo "run $i: expected $N spooled messages, found $queued"; exit 1; }
    rates+=("$r")
done
printf '%s\n' "${rates[@]}" | sort -n | awk '{v[NR]=$1} END{m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "median: %.0f msg/s\n", m}'
