#!/usr/bin/env bash
# Pacing simulation: the published daemon delivers by MX (a private dnsmasq serves alpha.test → mx1.fakeprovider.test
# and beta.test → mx2.fakeprovider.test) to a fake provider (bench/fake_provider.py) that takes at most R messages in
# any second across both MX hosts and answers 421 4.7.28 above that. For each R, several runs; each run submits
# R × SECONDS messages at once and waits until the provider has accepted them all. Reported once converged (from the
# moment 20% of the messages were accepted to the moment 90% were, so the tail where only retried messages trickle
# back is left out; also shown up to the last one): the share of attempts that drew a 421 and the delivered rate as
# a fraction of R; medians over the runs. KEEP=1 keeps the work directory (event logs, daemon logs). Loopback only.
# R is per window (-w seconds, default 1): -R 1 -w 2 is a provider that takes one message every 2 seconds.
#
# With -C T:R2 the provider's budget becomes R2 per window T seconds after its first MAIL FROM (halving or doubling
# its limit mid-run) and each run lasts until -a SECONDS (default 180) after that change, with enough messages
# queued to keep the relay busy throughout. Reported: the share of R delivered over the 90 s before the change; over
# the window from 60 s after the change to the end, the share of R2 delivered and the share of attempts that drew a
# 421; and the time to follow, from the change to the first moment from which the next 30 s deliver at least 85% of
# R2 with at most 5% 421s. Medians over the runs. The load average (1, 5, 15 minutes) is printed at the start and
# after each run: the figures depend on what else the machine is doing.
#
#   bench/pacing.sh [-R "5 10 20"] [-w WINDOW] [-t SECONDS] [-r RUNS] [-c MAXCONN]   (defaults "5 10 20" 1 20 3 2)
#   bench/pacing.sh -R 2 -C 120:1 [-a 180] [-r RUNS]                                  (the limit halves after 120 s)
# The adaptive settings are the seed's defaults unless ADAPTIVE_RATE_DEFAULTS is set in the environment.
# MAILRELAY_APP=DIR uses a daemon already published there instead of publishing one.
# Needs: dotnet, python3, dnsmasq. Runs as root (the MX hosts listen on port 25, as MX hosts must).
set -euo pipefail
RATES="5 10 20" SECONDS_AT_R=20 RUNS=3 MAXCONN=2 WINDOW=1 CHANGE="" AFTER=180
while getopts "R:t:r:c:w:C:a:" o; do
    case $o in
        R) RATES=$OPTARG ;; t) SECONDS_AT_R=$OPTARG ;; r) RUNS=$OPTARG ;; c) MAXCONN=$OPTARG ;; w) WINDOW=$OPTARG ;;
        C) CHANGE=$OPTARG ;; a) AFTER=$OPTARG ;; *) sed -n '2,23p' "$0"; exit 2 ;;
    esac
done
CHANGE_AT=${CHANGE%%:*} RATE_AFTER=${CHANGE##*:}
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

APP=${MAILRELAY_APP:-$WORK/app}
if [[ -z ${MAILRELAY_APP:-} ]]; then
    dotnet publish "$ROOT/src/MailRelay" -c Release -o "$APP" > "$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; exit 1; }
fi

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

start() {   # $1 = R, $2 = run number, $3 = events file, then extra fake_provider options
    local rate=$1 run=$2 data=$WORK/data-$1-$2 events=$3
    shift 3
    : > "$events"
    python3 "$BENCH/fake_provider.py" --listen "$MX1,$MX2" --port 25 --rate "$rate" --window "$WINDOW" --events "$events" "$@" > "$WORK/fake.log" 2>&1 &
    RUN_PIDS+=($!)
    wait_port "$MX1" 25
    SMTP_LISTENERS="127.0.0.1:$OURS" ADMIN_LISTEN="127.0.0.1:$ADMIN" DATA_DIR="$data" MAIL_HOSTNAME=relay.bench.test \
        DKIM_ENABLED=false LOG_LEVEL=Warning SMTP_MAX_SESSIONS_PER_CLIENT=0 DNS_SERVERS="$DNS:$DNSPORT" RETRY_SCHEDULE=1s \
        RATE_LIMIT_ENABLED=true RATE_LIMIT_DOMAINS="{\"fakeprovider.test\":{\"maxConnections\":$MAXCONN,\"maxPerConnection\":100}}" \
        ADAPTIVE_RATE_ENABLED=true ADAPTIVE_RATE_DEFAULTS="$ADAPTIVE" \
        "$APP/MailRelay" > "$WORK/mailrelay-$rate-$run.log" 2>&1 &
    RUN_PIDS+=($!)
    wait_port 127.0.0.1 "$OURS"
}

run() {   # $1 = R, $2 = run number; prints "R share_421 fraction_of_R whole_run_share max_connections fraction_to_the_end"
    local rate=$1 n events=$WORK/events-$1-$2 limit per_second
    per_second=$(awk -v r="$1" -v w="$WINDOW" 'BEGIN { print r / w }')
    n=$(awk -v p="$per_second" -v t="$SECONDS_AT_R" 'BEGIN { printf "%d", p * t }')
    start "$rate" "$2" "$events"
    submit "$n"
    limit=$((SECONDS_AT_R * 20 + 120))
    for _ in $(seq $((limit * 5))); do (($(accepted "$events") >= n)) && break; sleep 0.2; done
    stop_run
    (($(accepted "$events") >= n)) || { echo "R=$rate run $2: only $(accepted "$events") of $n accepted in ${limit}s" >&2; return 1; }
    # Converged phase: from the accept that completes the first 20% to the one that completes 90% (and to the last).
    awk -v n="$n" -v r="$per_second" '
        $2 == "accept" { a[++na] = $1 }
        $2 == "limit" { l[++nl] = $1 }
        $2 == "open" { if (++open > maxopen) maxopen = open }
        $2 == "close" { open-- }
        END {
            i = int(n * 0.2); j = int(n * 0.9); from = a[i]; to = a[j]; k = 0
            for (x = 1; x <= nl; x++) if (l[x] >= from && l[x] <= to) k++
            printf "%s %.4f %.4f %.4f %d %.4f\n", r, k / (k + j - i), (j - i) / (to - from) / r, nl / (nl + na), maxopen, (na - i) / (a[na] - from) / r
        }' "$events"
}

change_run() {   # $1 = R, $2 = run number; prints "R before_share after_share after_421_share follow_seconds"
    local rate=$1 events=$WORK/events-$1-$2 n
    n=$(awk -v r="$rate" -v r2="$RATE_AFTER" -v w="$WINDOW" -v t="$CHANGE_AT" -v a="$AFTER" 'BEGIN { printf "%d", 1.2 * (r * t + r2 * a) / w + 20 }')
    start "$rate" "$2" "$events" --change-at "$CHANGE_AT" --rate-after "$RATE_AFTER"
    submit "$n"
    for _ in $(seq $(((CHANGE_AT + 120) * 5))); do grep -q ' change ' "$events" && break; sleep 0.2; done
    grep -q ' change ' "$events" || { echo "R=$rate run $2: the limit never changed" >&2; return 1; }
    sleep "$AFTER"
    stop_run
    awk -v r="$rate" -v r2="$RATE_AFTER" -v w="$WINDOW" -v a="$AFTER" '
        $2 == "change" { c = $1 }
        $2 == "accept" || $2 == "limit" { t[++m] = $1; ok[m] = ($2 == "accept") }
        function share(from, to, per,   x, k) { k = 0; for (x = 1; x <= m; x++) if (t[x] >= from && t[x] < to && ok[x]) k++; return k / (to - from) / per }
        function refused(from, to,   x, k, all) { k = all = 0; for (x = 1; x <= m; x++) if (t[x] >= from && t[x] < to) { all++; if (!ok[x]) k++ }; return all ? k / all : 0 }
        END {
            follow = -1
            for (s = c; s + 30 <= c + a; s += 1) if (share(s, s + 30, r2 / w) >= 0.85 && refused(s, s + 30) <= 0.05) { follow = s - c; break }
            printf "%s %.4f %.4f %.4f %d\n", r "->" r2, share(c - 90, c, r / w), share(c + 60, c + a, r2 / w), refused(c + 60, c + a), follow
        }' "$events"
}

load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
echo "rates=[$RATES] window=${WINDOW}s seconds-at-R=$SECONDS_AT_R runs=$RUNS maxConnections=$MAXCONN change=${CHANGE:-none} after=${AFTER}s cores=$(nproc) $(date -u '+%F %H:%M') $(load)"
echo "ADAPTIVE_RATE_DEFAULTS=$ADAPTIVE"
if [[ -n $CHANGE ]]; then
    for rate in $RATES; do
        for ((i = 1; i <= RUNS; i++)); do
            change_run "$rate" "$i" | tee -a "$WORK/results"
            echo "  ($(load) at the end of the run)"
        done
    done
    awk '
        function median(list,   a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        { if (!($1 in seen)) { order[++k] = $1; seen[$1] = 1 }; b[$1] = b[$1] " " $2; f[$1] = f[$1] " " $3; s[$1] = s[$1] " " $4; t[$1] = t[$1] " " $5 }
        END { for (i = 1; i <= k; i++) { r = order[i]
            printf "R=%s per %ss: before the change %.0f%% of R; from 60 s after it %.0f%% of the new R, %.1f%% 421s; followed in %s s (-1: not within the run)\n", r, '"$WINDOW"', 100 * median(b[r]), 100 * median(f[r]), 100 * median(s[r]), median(t[r]) } }' "$WORK/results"
    exit 0
fi
for rate in $RATES; do
    for ((i = 1; i <= RUNS; i++)); do
        run "$rate" "$i" | tee -a "$WORK/results"
        echo "  ($(load) at the end of the run)"
    done
done
awk '
    function median(list,   a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    { if (!($1 in seen)) { order[++k] = $1; seen[$1] = 1 }; s[$1] = s[$1] " " $2; f[$1] = f[$1] " " $3; o[$1] = o[$1] " " $4; c[$1] = c[$1] " " $5; e[$1] = e[$1] " " $6 }
    END { for (i = 1; i <= k; i++) { r = order[i]
        printf "R=%s/s: converged 421 share %.1f%%, delivered %.0f%% of R (to the last message %.0f%%; whole run 421 share %.1f%%; most connections open %d)\n", r, 100 * median(s[r]), 100 * median(f[r]), 100 * median(e[r]), 100 * median(o[r]), median(c[r]) } }' "$WORK/results"
