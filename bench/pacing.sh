#!/usr/bin/env bash
# Pacing simulation: the published daemon delivers by MX (a private dnsmasq serves alpha.test → mx1.fakeprovider.test
# and beta.test → mx2.fakeprovider.test) to a fake provider (bench/fake_provider.py) that takes at most R messages in
# any second across both MX hosts and answers 421 4.7.28 above that. For each R, several runs; each run submits
# R × SECONDS messages at once and waits until the provider has accepted them all. Reported once converged (from the
# moment 20% of the messages were accepted to the moment 90% were, so the tail where only retried messages trickle
# back is left out; also shown up to the last one): the share of attempts that drew a 421 and the delivered rate as
# a fraction of R; medians over the runs. KEEP=1 keeps the work directory (event logs, daemon logs). Loopback only.
#
#   bench/pacing.sh [-R "5 10 20"] [-t SECONDS] [-r RUNS] [-c MAXCONN]          (defaults "5 10 20" 20 3 2)
# The adaptive settings are the seed's defaults unless ADAPTIVE_RATE_DEFAULTS is set in the environment.
# Needs: dotnet, python3, dnsmasq. Runs as root (the MX hosts listen on port 25, as MX hosts must).
set -euo pipefail
RATES="5 10 20" SECONDS_AT_R=20 RUNS=3 MAXCONN=2
while getopts "R:t:r:c:" o; do
    case $o in R) RATES=$OPTARG ;; t) SECONDS_AT_R=$OPTARG ;; r) RUNS=$OPTARG ;; c) MAXCONN=$OPTARG ;; *) sed -n '2,11p' "$0"; exit 2 ;; esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
PATH=$PATH:/usr/sbin
for t in dnsmasq python3 dotnet; do command -v $t > /dev/null || { echo "$t missing" >&2; exit 1; }; done
((EUID == 0)) || { echo "run as root: the fake MX hosts listen on port 25" >&2; exit 1; }
ADAPTIVE=${ADAPTIVE_RATE_DEFAULTS:-'{"minDelay":1000,"maxDelay":60000,"initialDelay":5000,"backoffMultiplier":1.5,"recoveryRate":0.9,"successThreshold":5}'}
WORK=$(mktemp -d /tmp/mailrelay-pacing.XXXXXX)
# A private corner of 127/8 for the MX hosts and the name server, so nothing else on port 25 is in the way.
NET=127.$((100 + RANDOM % 150)).$((RANDOM % 256))
MX1=$NET.1 MX2=$NET.2 DNS=$NET.53
BASE=$((20000 + RANDOM % 20000))
DNSPORT=$BASE OURS=$((BASE + 1)) ADMIN=$((BASE + 2))
PIDS=()
RUN_PIDS=()
stop_run() { for p in "${RUN_PIDS[@]}"; do kill "$p" 2> /dev/null || true; wait "$p" 2> /dev/null || true; done; RUN_PIDS=(); }
cleanup() {
    stop_run
    for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
    wait 2> /dev/null || true
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
wait_port() { for _ in $(seq 300); do (exec 3<> "/dev/tcp/$1/$2") 2> /dev/null && return 0; sleep 0.1; done; echo "$1:$2 never opened" >&2; return 1; }

dnsmasq --keep-in-foreground --log-facility=- --conf-file=/dev/null --pid-file --no-resolv --no-hosts --bind-interfaces \
    --listen-address="$DNS" --port="$DNSPORT" --local=/test/ \
    --mx-host=alpha.test,mx1.fakeprovider.test,10 --mx-host=beta.test,mx2.fakeprovider.test,10 \
    --host-record=mx1.fakeprovider.test,"$MX1" --host-record=mx2.fakeprovider.test,"$MX2" > "$WORK/dnsmasq.log" 2>&1 &
PIDS+=($!)

dotnet publish "$ROOT/src/MailRelay" -c Release -o "$WORK/app" > "$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; exit 1; }

submit() {   # $1 = messages: four sessions, recipients alternating between the provider's two domains
    python3 - "$OURS" "$1" << 'PY'
import smtplib, sys, threading
port, total = int(sys.argv[1]), int(sys.argv[2])
def session(worker):
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(worker, total, 4):
            domain = "alpha.test" if i % 2 == 0 else "beta.test"
            smtp.sendmail("app@bench.example", [f"user{i}@{domain}"], f"Subject: pacing {i}\r\n\r\nbody\r\n")
threads = [threading.Thread(target=session, args=(w,)) for w in range(4)]
for t in threads: t.start()
for t in threads: t.join()
PY
}
accepted() { grep -c ' accept ' "$1" || true; }

run() {   # $1 = R, $2 = run number; prints "R share_421 fraction_of_R whole_run_share max_connections fraction_to_the_end"
    local rate=$1 n=$(($1 * SECONDS_AT_R)) events=$WORK/events-$1-$2 data=$WORK/data-$1-$2 limit
    : > "$events"
    python3 "$BENCH/fake_provider.py" --listen "$MX1,$MX2" --port 25 --rate "$rate" --window 1 --events "$events" > "$WORK/fake.log" 2>&1 &
    RUN_PIDS+=($!)
    wait_port "$MX1" 25
    SMTP_LISTENERS="127.0.0.1:$OURS" ADMIN_LISTEN="127.0.0.1:$ADMIN" DATA_DIR="$data" MAIL_HOSTNAME=relay.bench.test \
        DKIM_ENABLED=false LOG_LEVEL=Warning SMTP_MAX_SESSIONS_PER_CLIENT=0 DNS_SERVERS="$DNS:$DNSPORT" RETRY_SCHEDULE=1s \
        RATE_LIMIT_ENABLED=true RATE_LIMIT_DOMAINS="{\"fakeprovider.test\":{\"maxConnections\":$MAXCONN,\"maxPerConnection\":100}}" \
        ADAPTIVE_RATE_ENABLED=true ADAPTIVE_RATE_DEFAULTS="$ADAPTIVE" \
        "$WORK/app/MailRelay" > "$WORK/mailrelay-$1-$2.log" 2>&1 &
    RUN_PIDS+=($!)
    wait_port 127.0.0.1 "$OURS"
    submit "$n"
    limit=$((SECONDS_AT_R * 20 + 120))
    for _ in $(seq $((limit * 5))); do (($(accepted "$events") >= n)) && break; sleep 0.2; done
    stop_run
    (($(accepted "$events") >= n)) || { echo "R=$rate run $2: only $(accepted "$events") of $n accepted in ${limit}s" >&2; return 1; }
    # Converged phase: from the accept that completes the first 20% to the one that completes 90% (and to the last).
    awk -v n="$n" -v r="$rate" '
        $2 == "accept" { a[++na] = $1 }
        $2 == "limit" { l[++nl] = $1 }
        $2 == "open" { if (++open > maxopen) maxopen = open }
        $2 == "close" { open-- }
        END {
            i = int(n * 0.2); j = int(n * 0.9); from = a[i]; to = a[j]; k = 0
            for (x = 1; x <= nl; x++) if (l[x] >= from && l[x] <= to) k++
            printf "%d %.4f %.4f %.4f %d %.4f\n", r, k / (k + j - i), (j - i) / (to - from) / r, nl / (nl + na), maxopen, (na - i) / (a[na] - from) / r
        }' "$events"
}

echo "rates=[$RATES] seconds-at-R=$SECONDS_AT_R runs=$RUNS maxConnections=$MAXCONN cores=$(nproc) $(date -u +%F)"
echo "ADAPTIVE_RATE_DEFAULTS=$ADAPTIVE"
for rate in $RATES; do
    for ((i = 1; i <= RUNS; i++)); do
        run "$rate" "$i" | tee -a "$WORK/results"
    done
done
awk '
    function median(list,   a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    { if (!($1 in seen)) { order[++k] = $1; seen[$1] = 1 }; s[$1] = s[$1] " " $2; f[$1] = f[$1] " " $3; o[$1] = o[$1] " " $4; c[$1] = c[$1] " " $5; e[$1] = e[$1] " " $6 }
    END { for (i = 1; i <= k; i++) { r = order[i]
        printf "R=%s/s: converged 421 share %.1f%%, delivered %.0f%% of R (to the last message %.0f%%; whole run 421 share %.1f%%; most connections open %d)\n", r, 100 * median(s[r]), 100 * median(f[r]), 100 * median(e[r]), 100 * median(o[r]), median(c[r]) } }' "$WORK/results"
