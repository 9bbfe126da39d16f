#!/usr/bin/env bash
# Redis cost of shared pacing: two published daemons share one provider's ceilings through a private redis-server
# (REPLICAS=2) and deliver N messages (half submitted to each) to a fake provider without a hidden limit
# (bench/fake_provider.py). Redis's own command counts (INFO commandstats) are read before and after, so the figures
# are counts, not timings: the script calls the daemons made per delivered message (EVALSHA/EVAL), every other
# command they sent, and the commands the scripts ran inside Redis. Then redis-benchmark runs the slot-claim script
# (RedisScripts.Reserve, one scope with a rate) with EVALSHA against the same server: claims per second one Redis
# instance sustains, here on a loaded, shared machine (the load average is printed; take it as a floor).
#
#   bench/shared-pacing.sh [-n MESSAGES] [-l LIMITS_JSON] [-c CLIENTS] [-b CLAIMS]
#   defaults: -n 400 -l '{"rate":"100/1s","maxConnections":4,"maxPerConnection":10}' -c 50 -b 200000
# ADAPTIVE=1 turns adaptive pacing on as well (its state is then shared too), with a 20 ms delay unless
# ADAPTIVE_RATE_DEFAULTS says otherwise. MAILRELAY_APP=DIR uses a daemon
# already published there. KEEP=1 keeps the work directory. Needs: dotnet, python3, redis-server, redis-cli,
# redis-benchmark. Loopback only; no root.
set -euo pipefail
MESSAGES=400 CLIENTS=50 CLAIMS=200000
LIMITS='{"rate":"100/1s","maxConnections":4,"maxPerConnection":10}'
while getopts "n:l:c:b:" o; do
    case $o in
        n) MESSAGES=$OPTARG ;; l) LIMITS=$OPTARG ;; c) CLIENTS=$OPTARG ;; b) CLAIMS=$OPTARG ;; *) sed -n '2,16p' "$0"; exit 2 ;;
    esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ADAPTIVE_DEFAULTS=${ADAPTIVE_RATE_DEFAULTS:-'{"initialDelay":20,"minDelay":20,"maxDelay":60000}'}
for t in dotnet python3 redis-server redis-cli redis-benchmark; do command -v $t > /dev/null || { echo "$t missing" >&2; exit 1; }; done
WORK=$(mktemp -d /tmp/mailrelay-shared.XXXXXX)
BASE=$((20000 + RANDOM % 20000))
REDIS=$BASE MX=$((BASE + 1)) SMTP_A=$((BASE + 2)) ADMIN_A=$((BASE + 3)) SMTP_B=$((BASE + 4)) ADMIN_B=$((BASE + 5))
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
    wait 2> /dev/null || true
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
wait_port() { for _ in $(seq 600); do (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

redis-server --port "$REDIS" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --daemonize no > "$WORK/redis.log" 2>&1 &
PIDS+=($!)
python3 "$ROOT/bench/fake_provider.py" --listen 127.0.0.1 --port "$MX" --rate 1000000 --events "$WORK/events" > "$WORK/provider.log" 2>&1 &
PIDS+=($!)

APP=${MAILRELAY_APP:-$WORK/app}
if [[ -z ${MAILRELAY_APP:-} ]]; then
    dotnet publish "$ROOT/src/MailRelay" -c Release -o "$APP" > "$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; exit 1; }
fi
wait_port "$REDIS"
wait_port "$MX"

daemon() {   # $1 = name, $2 = SMTP port, $3 = admin port
    mkdir -p "$WORK/$1"
    env MAIL_HOSTNAME="$1.bench.example" SMTP_LISTENERS="127.0.0.1:$2" ADMIN_LISTEN="127.0.0.1:$3" DATA_DIR="$WORK/$1" \
        DKIM_ENABLED=false DNS_SERVERS=127.0.0.1:9 DELIVERY_ROUTES="{\"bench.test\":\"127.0.0.1:$MX\"}" \
        RATE_LIMIT_ENABLED=true RATE_LIMIT_DOMAINS="{\"bench.test\":$LIMITS}" \
        ADAPTIVE_RATE_ENABLED="$([[ ${ADAPTIVE:-0} == 1 ]] && echo true || echo false)" \
        ADAPTIVE_RATE_DEFAULTS="$ADAPTIVE_DEFAULTS" \
        REDIS_URL="redis://127.0.0.1:$REDIS" REDIS_KEY_PREFIX=bench REPLICAS=2 LOG_LEVEL=Warning \
        "$APP/MailRelay" > "$WORK/$1.log" 2>&1 &
    PIDS+=($!)
}
daemon a "$SMTP_A" "$ADMIN_A"
daemon b "$SMTP_B" "$ADMIN_B"
for p in "$SMTP_A" "$ADMIN_A" "$SMTP_B" "$ADMIN_B"; do wait_port "$p"; done

stats() { redis-cli -p "$REDIS" INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\),.*/\1 \2/p' | sort; }
stats > "$WORK/before"

python3 - "$SMTP_A" "$SMTP_B" "$MESSAGES" << 'PY'
import smtplib, sys, threading
ports, total = [int(sys.argv[1]), int(sys.argv[2])], int(sys.argv[3])
def session(worker):
    with smtplib.SMTP("127.0.0.1", ports[worker % 2]) as smtp:
        for i in range(worker, total, 4):
            smtp.sendmail("app@bench.example", [f"user{i}@bench.test"], f"Subject: shared {i}\r\n\r\nbody\r\n")
threads = [threading.Thread(target=session, args=(w,)) for w in range(4)]
for t in threads: t.start()
for t in threads: t.join()
PY
START=$(date +%s)
accepted() { local n; n=$(grep -c ' accept ' "$WORK/events" 2> /dev/null || true); echo "${n:-0}"; }
until (($(accepted) >= MESSAGES)); do
    (($(date +%s) - START < 600)) || { echo "not all delivered within 600 s" >&2; exit 1; }
    sleep 0.5
done
stats > "$WORK/after"
ACCEPTED=$(accepted)
LIMITED=$(grep -c ' limit ' "$WORK/events" || true)

echo "limits: $LIMITS, adaptive: ${ADAPTIVE:-0}; $MESSAGES messages submitted, $ACCEPTED accepted by the provider, $LIMITED refused with 421"
join -a 2 -e 0 -o 0,1.2,2.2 "$WORK/before" "$WORK/after" | awk -v n="$ACCEPTED" '
    { d = $3 - $2; if (d <= 0) next
      if ($1 == "info") next
      sent = ($1 ~ /^(evalsha|eval|script\|load|hmget|hget|subscribe|ping|echo|client\|setname|cluster\|nodes|config\|get)$/)
      if ($1 ~ /^(evalsha|eval)$/) scripts += d; else if (sent) other += d; else inner += d
      printf "  %-16s %8d  %6.2f per message%s\n", $1, d, d / n, sent ? "" : "  (inside scripts)" }
    END { printf "round trips per delivered message: %.2f script calls + %.2f other commands; %.2f commands run inside the scripts\n", scripts / n, other / n, inner / n }'

# The slot-claim script alone: one scope with a gap of 0 and a rate of 1000 per second, reserving (not beginning).
SHA=$(redis-cli -p "$REDIS" SCRIPT LOAD "$(sed -n '/public const string Reserve = """/,/""";/p' "$ROOT/src/MailRelay/RateLimiting/Sharing/RedisScripts.cs" | sed '1d;$d' | sed 's/^        //')")
echo "load average before redis-benchmark: $(cut -d' ' -f1-3 /proc/loadavg)"
redis-benchmark -p "$REDIS" -c "$CLIENTS" -n "$CLAIMS" -q EVALSHA "$SHA" 2 '{bench}:plan:p:x:window' '{bench}:plan:p:x:last' 0 90000000 0 1000 1000000 0 |
    tr '\r' '\n' | grep -v '^$' | tail -1 | sed 's/.*: \([0-9.]* requests per second.*\)/slot claims (EVALSHA Reserve, '"$CLIENTS"' clients): \1/'
