#!/usr/bin/env bash
# End-to-end relay benchmark: smtp-source → relay → smtp-sink, MailRelay and Postfix side by side in one
# run (rounds interleaved, so machine drift hits both alike). Reports acceptance and end-to-end
# (accepted → counted at the sink) messages/s, medians, and the ratio; each relay's CPU per message (user+sys
# over the round / messages) and the load generator's (smtp-source + smtp-sink, which share the machine); MailRelay's
# commit time p50/p99 (end of DATA → 250, its /metrics histogram).
# Loopback only.
#
#   bench/relay.sh [-n MSGS] [-s SESSIONS] [-l BYTES] [-r ROUNDS] [-w WARMUP] [-u] [-k]   (defaults 10000 20 4096 3 20000)
#   bench/relay.sh -b BATCHES [-n MSGS] [-s SESSIONS] [-l BYTES] [-u]     MailRelay alone, freshly started: the ramp
# Before the rounds each relay carries WARMUP messages, so the rounds measure the steady state of a running
# relay: MailRelay's runtime compiles its hot paths again with profile data during the first ~15,000 messages.
# -b shows that ramp: BATCHES consecutive batches of MSGS through one new MailRelay, each batch's end-to-end
# rate and the daemon's CPU time per message (no Postfix).
# MailRelay signs every message with DKIM (a 2048-bit key generated for the sender's domain at start), as
# it does by default in production; -u runs it unsigned (DKIM_ENABLED=false), as earlier figures were taken.
# -k makes Postfix sign too, through OpenDKIM as a milter (relaxed/relaxed, a 2048-bit key): the stack
# MailRelay replaces, doing the same work.
# Needs: postfix (smtp-source, smtp-sink and the postfix binaries), dotnet; for -k opendkim and
# opendkim-tools. Runs as root (Postfix's master).
set -euo pipefail
N=10000 S=20 L=4096 ROUNDS=3 WARMUP=20000 BATCHES=0 DKIM=true OPENDKIM=false
while getopts "n:s:l:r:w:b:uk" o; do
    case $o in n) N=$OPTARG ;; s) S=$OPTARG ;; l) L=$OPTARG ;; r) ROUNDS=$OPTARG ;; w) WARMUP=$OPTARG ;; b) BATCHES=$OPTARG ;; u) DKIM=false ;; k) OPENDKIM=true ;; *) sed -n '2,20p' "$0"; exit 2 ;; esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin
for t in smtp-source smtp-sink postfix; do command -v $t > /dev/null || { echo "$t missing (apt-get install postfix)" >&2; exit 1; }; done
WORK=$(mktemp -d /tmp/mailrelay-e2e.XXXXXX)
chmod 755 "$WORK"
BASE=$((20000 + RANDOM % 20000))
SINK=$BASE OURS=$((BASE + 1)) ADMIN=$((BASE + 2)) PFX=$((BASE + 3)) MILTER=$((BASE + 4))
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
    [[ -f $WORK/postfix/etc/main.cf ]] && postfix -c "$WORK/postfix/etc" stop > /dev/null 2>&1 || true
    wait 2> /dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
wait_port() { for _ in $(seq 150); do (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

# The sink: counts messages (-c prints running counters).
smtp-sink -u nobody -c "127.0.0.1:$SINK" 1024 > "$WORK/sink.log" 2>&1 &
SINK_PID=$!
PIDS+=($!)
wait_port "$SINK"
sink_count() { tail -c 300 "$WORK/sink.log" | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2; }
now() { date +%s.%N; }
# CPU clock ticks used so far by a relay: MailRelay's process; Postfix's master with its children, live and reaped
# (and OpenDKIM with -k).
ticks_of() {
    local t c master
    if [[ $1 != postfix ]]; then awk '{print $14 + $15}' "/proc/$RELAY/stat"; return; fi
    master=$(tr -d ' ' < "$WORK/postfix/spool/pid/master.pid")
    t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$master/stat")
    for c in $(pgrep -P "$master") ${OPENDKIM_PID:-}; do t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat" 2> /dev/null || echo 0))); done
    echo "$t"
}
# MailRelay's commit-time histogram (end of DATA → 250), cumulative buckets "le count" per line.
commit_buckets() { curl -s "http://127.0.0.1:$ADMIN/metrics" | sed -n 's/^mailrelay_smtp_commit_seconds_bucket{le="\([^"]*\)"} \([0-9.e+]*\)$/\1 \2/p'; }
# p50 and p99 in ms between two scrapes, interpolated within buckets as Prometheus's histogram_quantile does.
commit_quantiles() {
    awk 'NR == FNR { before[$1] = $2; next } { le[n] = $1; c[n] = $2 - before[$1]; n++ }
      function q(p,   i, rank, lo, prev) { rank = p * c[n - 1]; prev = 0; lo = 0
        for (i = 0; i < n; i++) { if (c[i] >= rank) { if (le[i] == "+Inf") return lo * 1000; return (lo + (le[i] - lo) * (rank - prev) / (c[i] - prev)) * 1000 }; prev = c[i]; lo = le[i] } }
      END { printf "%.1f %.1f", q(0.5), q(0.99) }' "$1" "$2"
}
measure() {   # $1 = name, $2 = port, $3 = messages (default N); prints "name accept e2e cpu-ms-per-message p50-ms p99-ms gen-cpu-ms-per-message"
    local base t0 t1 t2 got c0 c1 s0 s1 source quantiles="- -" n=${3:-$N} TIMEFORMAT='%3U %3S'
    base=$(sink_count); base=${base:-0}
    [[ $1 == mailrelay* || $1 == batch ]] && commit_buckets > "$WORK/commit.before"
    c0=$(ticks_of "$1")
    s0=$(awk '{print $14 + $15}' "/proc/$SINK_PID/stat")
    t0=$(now)
    { time smtp-source -s "$S" -m "$n" -l "$L" -f app@bench.test -t user@bench.test "127.0.0.1:$2" > "$WORK/source.out" 2>&1; } 2> "$WORK/source.time" \
        || { echo "$1: smtp-source failed: $(tail -1 "$WORK/source.out")" >&2; return 1; }
    t1=$(now)
    for _ in $(seq 30000); do got=$(sink_count); ((${got:-0} - base >= n)) && break; sleep 0.02; done
    t2=$(now)
    ((${got:-0} - base >= n)) || { echo "$1: only $((got - base)) of $n reached the sink" >&2; return 1; }
    c1=$(ticks_of "$1")
    s1=$(awk '{print $14 + $15}' "/proc/$SINK_PID/stat")
    source=$(awk '{print $1 + $2}' "$WORK/source.time")
    if [[ $1 == mailrelay* || $1 == batch ]]; then commit_buckets > "$WORK/commit.after"; quantiles=$(commit_quantiles "$WORK/commit.before" "$WORK/commit.after"); fi
    awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v name="$1" -v ticks=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v q="$quantiles" \
        -v sink=$((s1 - s0)) -v source="$source" \
        'BEGIN{printf "%s %.0f %.0f %.2f %s %.2f\n", name, n/(b-a), n/(c-a), ticks*1000/hz/n, q, (sink/hz + source)*1000/n}'
}

# MailRelay, published in Release, routing the test domain to the sink.
dotnet publish "$ROOT/src/MailRelay" -c Release -o "$WORK/app" > "$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; exit 1; }
SMTP_LISTENERS="127.0.0.1:$OURS" ADMIN_LISTEN="127.0.0.1:$ADMIN" DATA_DIR="$WORK/data" MAIL_HOSTNAME=relay.bench.test \
    MAIL_DOMAINS=bench.test DKIM_ENABLED=$DKIM DKIM_KEY_SIZE=2048 \
    DELIVERY_ROUTES="{\"bench.test\":\"127.0.0.1:$SINK\"}" LOG_LEVEL=Warning SMTP_MAX_SESSIONS_PER_CLIENT=0 \
    "$WORK/app/MailRelay" > "$WORK/mailrelay.log" 2>&1 &
RELAY=$!
PIDS+=($RELAY)
wait_port "$OURS"

if ((BATCHES > 0)); then
    echo "batches=$BATCHES msgs=$N sessions=$S body=${L}B dkim=$DKIM cores=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) $(date -u +%F)"
    for ((b = 1; b <= BATCHES; b++)); do
        result=$(measure batch "$OURS")
        read -r _ _ e2e cpu p50 p99 _ <<< "$result"
        echo "batch $b (messages $(((b - 1) * N + 1))-$((b * N))): $e2e msg/s end to end, $cpu ms CPU per message, commit p50 $p50 ms p99 $p99 ms"
    done
    exit 0
fi

# With -k, a private OpenDKIM (its own key and configuration) that Postfix hands each message to before queueing it.
MILTERS=
if [[ $OPENDKIM == true ]]; then
    command -v opendkim > /dev/null || { echo "opendkim missing (apt-get install opendkim opendkim-tools)" >&2; exit 1; }
    mkdir -p "$WORK/opendkim"
    opendkim-genkey -b 2048 -d bench.test -s bench -D "$WORK/opendkim"
    chown -R opendkim "$WORK/opendkim"
    cat > "$WORK/opendkim/opendkim.conf" << CONF
Domain bench.test
Selector bench
KeyFile $WORK/opendkim/bench.private
Socket inet:$MILTER@127.0.0.1
Canonicalization relaxed/relaxed
Mode s
UserID opendkim
PidFile $WORK/opendkim/opendkim.pid
Syslog no
# The work directory lives under /tmp, which OpenDKIM otherwise refuses to read a key from.
RequireSafeKeys false
CONF
    opendkim -f -x "$WORK/opendkim/opendkim.conf" > "$WORK/opendkim.log" 2>&1 &
    OPENDKIM_PID=$!
    PIDS+=($!)
    wait_port "$MILTER"
    MILTERS="smtpd_milters = inet:127.0.0.1:$MILTER
milter_default_action = tempfail"
fi

# A private Postfix relay (nothing of the system's configuration is touched) forwarding to the same sink.
mkdir -p "$WORK/postfix/etc" "$WORK/postfix/spool" "$WORK/postfix/data"
chown postfix "$WORK/postfix/data"
cat > "$WORK/postfix/etc/main.cf" << CF
compatibility_level = 3.6
queue_directory = $WORK/postfix/spool
data_directory = $WORK/postfix/data
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.bench.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
local_transport = error:no local delivery
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$SINK
smtpd_relay_restrictions = permit_mynetworks, reject
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
biff = no
maillog_file = $WORK/postfix/maillog
maillog_file_prefixes = /var, /dev/stdout, /tmp
$MILTERS
CF
cat > "$WORK/postfix/etc/master.cf" << CF
127.0.0.1:$PFX inet n - n - - smtpd
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
proxymap unix - - n - - proxymap
flush unix n - n 1000? 0 flush
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
CF
postfix -c "$WORK/postfix/etc" start > /dev/null 2>&1 || { echo "postfix did not start"; exit 1; }
wait_port "$PFX"


echo "msgs=$N sessions=$S body=${L}B rounds=$ROUNDS warmup=$WARMUP dkim=$DKIM postfix-opendkim=$OPENDKIM cores=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) $(date -u +%F)"
measure warmup-mailrelay "$OURS" "$WARMUP" > /dev/null
measure warmup-postfix "$PFX" "$WARMUP" > /dev/null
for ((r = 1; r <= ROUNDS; r++)); do
    measure mailrelay "$OURS" | tee -a "$WORK/results"
    measure postfix "$PFX" | tee -a "$WORK/results"
done
awk '
  { acc[$1] = acc[$1] " " $2; e2e[$1] = e2e[$1] " " $3; cpu[$1] = cpu[$1] " " $4; p50[$1] = p50[$1] " " $5; p99[$1] = p99[$1] " " $6; gen[$1] = gen[$1] " " $7 }
  function median(list,   a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END {
    ma = median(acc["mailrelay"]); me = median(e2e["mailrelay"]); pa = median(acc["postfix"]); pe = median(e2e["postfix"])
    printf "median accept:     mailrelay %.0f msg/s, postfix %.0f msg/s, ratio %.2f\n", ma, pa, ma / pa
    printf "median end-to-end: mailrelay %.0f msg/s, postfix %.0f msg/s, ratio %.2f\n", me, pe, me / pe
    printf "median CPU per message: mailrelay %.2f ms, postfix %.2f ms (user+sys over the round / messages)\n", median(cpu["mailrelay"]), median(cpu["postfix"])
    printf "median load generator CPU per message (smtp-source + smtp-sink): %.2f ms with mailrelay, %.2f ms with postfix\n", median(gen["mailrelay"]), median(gen["postfix"])
    printf "median commit time (end of DATA to 250), mailrelay: p50 %.1f ms, p99 %.1f ms\n", median(p50["mailrelay"]), median(p99["mailrelay"])
  }' "$WORK/results"
