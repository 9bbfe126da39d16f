#!/usr/bin/env bash
# A provider down for a day: N messages accepted while the next hop defers every recipient, then what the backlog
# costs. The daemon (published in Release, DKIM off, small bodies) routes bench.test to bench/defer_sink.py, which
# answers 451 to every RCPT; RETRY_SCHEDULE is 6h, so each message is attempted once and then waits. Reports:
#   - resident memory at each checkpoint of the fill and with the whole backlog (and per message)
#   - the accept rate of a batch with the queue nearly empty, and of the same batch on top of the backlog
#   - CPU while idle with the backlog (user+sys over 30 s)
#   - `MailRelay queue list`: time to its first line and to its end
#   - a restart: time to listening, time until the queue gauge counts every message, and the connections the
#     sink saw in the 30 s after the start (every message is due hours later: should be 0)
#
#   bench/backlog.sh [-n MESSAGES] [-b BATCH] [-c CHECKPOINT] [-s SESSIONS] [-l BODY_BYTES] [-k]
#     defaults: -n 500000 -b 10000 -c 100000 -s 20 -l 512; -k keeps the work directory (its path is printed)
#   MAILRELAY_APP=DIR uses a daemon published there instead of publishing one; the daemon inherits the environment,
#   so runtime settings can be compared run against run (DOTNET_GCConserveMemory=5 bench/backlog.sh ...).
# Needs: postfix's smtp-source, python3, curl, dotnet. Loopback only.
set -euo pipefail
N=500000 B=10000 CHECK=100000 S=20 L=512 KEEP=false
while getopts "n:b:c:s:l:k" o; do
    case $o in n) N=$OPTARG ;; b) B=$OPTARG ;; c) CHECK=$OPTARG ;; s) S=$OPTARG ;; l) L=$OPTARG ;; k) KEEP=true ;; *) sed -n '2,15p' "$0"; exit 2 ;; esac
done
((N >= 2 * B)) || { echo "-n must be at least twice -b" >&2; exit 2; }
for t in smtp-source python3 curl; do command -v $t > /dev/null || { echo "$t missing" >&2; exit 1; }; done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/mailrelay-backlog.XXXXXX)
PIDS=()
RELAY=""
cleanup() {
    for p in ${RELAY:+"$RELAY"} "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; wait "$p" 2> /dev/null || true; done
    if [[ $KEEP == true ]]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
BASE=$((20000 + RANDOM % 20000))
SINK=$BASE OURS=$((BASE + 1)) ADMIN=$((BASE + 2))
now() { date +%s.%N; }
wait_port() { for _ in $(seq 300); do (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0; sleep 0.01; done; echo "port $1 never opened" >&2; return 1; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$RELAY/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$RELAY/stat"; }
sink() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$WORK/sink.stats" 2> /dev/null || echo 0; }
metric() { curl -s "http://127.0.0.1:$ADMIN/metrics" | awk -v m="$1" '$1 == m {printf "%d", $2}'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

python3 "$ROOT/bench/defer_sink.py" "$SINK" "$WORK/sink.stats" > "$WORK/sink.log" 2>&1 &
PIDS+=($!)
wait_port "$SINK"
APP=${MAILRELAY_APP:-$WORK/app}
if [[ -z ${MAILRELAY_APP:-} ]]; then
    dotnet publish "$ROOT/src/MailRelay" -c Release -o "$APP" > "$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; exit 1; }
fi
start_relay() {
    SMTP_LISTENERS="127.0.0.1:$OURS" ADMIN_LISTEN="127.0.0.1:$ADMIN" DATA_DIR="$WORK/data" MAIL_HOSTNAME=relay.bench.test \
        DKIM_ENABLED=false RETRY_SCHEDULE=6h QUEUE_LIFETIME=5d DELIVERY_ROUTES="{\"bench.test\":\"127.0.0.1:$SINK\"}" \
        LOG_LEVEL=Warning SMTP_MAX_SESSIONS_PER_CLIENT=0 "$APP/MailRelay" >> "$WORK/mailrelay.log" 2>&1 &
    RELAY=$!
}
send() {   # $1 = messages; prints the accept rate (msg/s)
    local t0 t1
    t0=$(now)
    smtp-source -d -s "$S" -m "$1" -l "$L" -f app@bench.test -t user@bench.test "127.0.0.1:$OURS" > "$WORK/source.out" 2>&1 \
        || { echo "smtp-source failed: $(tail -1 "$WORK/source.out")" >&2; return 1; }
    t1=$(now)
    awk -v n="$1" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", n/(b-a)}'
}
settle() {   # waits until the sink has seen one RCPT per accepted message ($1)
    for _ in $(seq 36000); do (($(sink rcpts) >= $1)) && return 0; sleep 0.1; done
    echo "only $(sink rcpts) of $1 messages attempted" >&2; return 1
}

echo "backlog=$N batch=$B sessions=$S body=${L}B cores=$(nproc) load=$(load) $(date -u '+%F %H:%M')"
t0=$(now)
start_relay
wait_port "$OURS"
t1=$(now)
rss0=$(rss_kib)
awk -v a="$t0" -v b="$t1" -v r="$rss0" 'BEGIN{printf "first start, empty queue: listening after %.2f s, rss %d MiB\n", b-a, r/1024}'
send "$B" > /dev/null   # warm-up: the runtime compiles its hot paths again with a profile
settle "$B"
empty=$(send "$B")
sent=$((2 * B))
settle "$sent"
echo "accept rate, queue of $B: $empty msg/s (load $(load))"

while ((sent < N)); do
    chunk=$((CHECK - sent % CHECK))
    ((sent + chunk > N)) && chunk=$((N - sent))
    rate=$(send "$chunk")
    sent=$((sent + chunk))
    settle "$sent"
    rss=$(rss_kib)
    awk -v n="$sent" -v r="$rss" -v r0="$rss0" -v a="$rate" -v l="$(load)" \
        'BEGIN{printf "queued %d: rss %d MiB, %.0f bytes per message over the empty daemon (fill at %d msg/s, load %s)\n", n, r/1024, (r-r0)*1024/n, a, l}'
done

backlog=$(send "$B")
sent=$((sent + B))
settle "$sent"
awk -v e="$empty" -v b="$backlog" -v n="$N" -v l="$(load)" \
    'BEGIN{printf "accept rate, queue of %d: %d msg/s = %.0f%% of the near-empty rate (load %s)\n", n, b, 100*b/e, l}'

sleep 10
queued=$(metric mailrelay_queue_messages)
rss=$(rss_kib)
c0=$(cpu_ticks)
sleep 30
c1=$(cpu_ticks)
awk -v q="$queued" -v r="$rss" -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v l="$(load)" \
    'BEGIN{printf "idle with %d queued: rss %d MiB, cpu %.2f%% of a core (user+sys over 30 s, load %s)\n", q, r/1024, 100*c/hz/30, l}'

DATA_DIR="$WORK/data" python3 - "$APP/MailRelay" <<'PY'
import subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen([sys.argv[1], "queue", "list"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
p.stdout.readline()
first = time.monotonic() - t0
lines = 1 + sum(1 for _ in p.stdout)
p.wait()
print(f"queue list: first line after {first:.2f} s, {lines} lines after {time.monotonic() - t0:.1f} s")
PY

kill -TERM "$RELAY"
wait "$RELAY" || true
before=$(sink connections)
t0=$(now)
start_relay
wait_port "$OURS"
t1=$(now)
for _ in $(seq 6000); do [[ $(metric mailrelay_queue_messages) == "$queued" ]] && break; sleep 0.05; done
t2=$(now)
[[ $(metric mailrelay_queue_messages) == "$queued" ]] || echo "after a restart the queue gauge shows $(metric mailrelay_queue_messages), not $queued" >&2
sleep 30
after=$(sink connections)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v q="$queued" -v k=$((after - before)) -v r="$(rss_kib)" -v l="$(load)" \
    'BEGIN{printf "restart: listening after %.2f s, all %d messages scheduled after %.1f s, %d connections to the next hop in the 30 s after it, rss %d MiB (load %s)\n", b-a, q, c-a, k, r/1024, l}'
