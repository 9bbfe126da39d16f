#!/usr/bin/env bash
# Where an SMTP session's time goes, seen from the wire: smtp-source (20 sessions, 4 KiB, one connection per message)
# loads a published daemon relaying to smtp-sink, tcpdump records the loopback traffic for a few seconds, and
# bench/session_steps.py prints, per step, how long the daemon took to answer (from the client's last byte of a
# command to the daemon's first byte of the reply: connect = SYN to greeting, body = the final dot to its 250) and
# how long the client took before its next command, mean / p50 / p90 / p99 over every session in the capture.
# With a second variant, both daemons run and are loaded at the same time (one capture, the same machine load), so
# the two columns compare like for like on a machine shared with other work.
#
#   bench/session-steps.sh [-w WARMUP] [-t SECONDS] [-u] "ENV_A" ["ENV_B"]
#       ENV_A / ENV_B: extra environment for each daemon ("" for none), e.g. "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1"
#   MAILRELAY_APP=DIR / MAILRELAY_APP_B=DIR use daemons already published there (two builds side by side).
# Also prints each daemon's delivered rate, CPU per message and context switches per message over the capture.
# Needs: postfix (smtp-source, smtp-sink), tcpdump, Debian's python3, dotnet. Runs as root (tcpdump).
set -euo pipefail
WARMUP=20000 SECS=4 DKIM=true
while getopts "w:t:u" o; do
    case $o in w) WARMUP=$OPTARG ;; t) SECS=$OPTARG ;; u) DKIM=false ;; *) sed -n '2,16p' "$0"; exit 2 ;; esac
done
shift $((OPTIND - 1))
(($# >= 1)) || { sed -n '2,16p' "$0"; exit 2; }
ENVS=("$1") && (($# >= 2)) && ENVS+=("$2")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin
for t in smtp-source smtp-sink tcpdump; do command -v $t > /dev/null || { echo "$t missing (apt-get install postfix tcpdump)" >&2; exit 1; }; done
WORK=$(mktemp -d /tmp/mailrelay-steps.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done; wait 2> /dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 150); do (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
APP=${MAILRELAY_APP:-$WORK/app}
if [[ -z ${MAILRELAY_APP:-} ]]; then
    dotnet publish "$ROOT/src/MailRelay" -c Release -o "$APP" > "$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; exit 1; }
fi
APPS=("$APP" "${MAILRELAY_APP_B:-$APP}")
BASE=$((20000 + RANDOM % 20000))
SINKS=() PORTS=() RELAYS=()
for i in "${!ENVS[@]}"; do
    SINKS+=($((BASE + 10 * i))) PORTS+=($((BASE + 10 * i + 1)))
    # Each daemon has its own sink, so the delivered counts are its own.
    smtp-sink -u nobody -c "127.0.0.1:${SINKS[i]}" 1024 > "$WORK/sink$i.log" 2>&1 &
    PIDS+=($!)
    wait_port "${SINKS[i]}"
    # shellcheck disable=SC2086 # ENV is a list of NAME=VALUE words
    env SMTP_LISTENERS="127.0.0.1:${PORTS[i]}" ADMIN_LISTEN="127.0.0.1:$((BASE + 10 * i + 2))" DATA_DIR="$WORK/data$i" \
        MAIL_HOSTNAME=relay.bench.test MAIL_DOMAINS=bench.test DKIM_ENABLED=$DKIM DKIM_KEY_SIZE=2048 \
        DELIVERY_ROUTES="{\"bench.test\":\"127.0.0.1:${SINKS[i]}\"}" LOG_LEVEL=Warning SMTP_MAX_SESSIONS_PER_CLIENT=0 ${ENVS[i]} \
        "${APPS[i]}/MailRelay" > "$WORK/mailrelay$i.log" 2>&1 &
    RELAYS+=($!)
    PIDS+=($!)
    wait_port "${PORTS[i]}"
done
source_to() { smtp-source -s 20 -m "$2" -l 4096 -f app@bench.test -t user@bench.test "127.0.0.1:$1"; }
for i in "${!ENVS[@]}"; do source_to "${PORTS[i]}" "$WARMUP"; done
for i in "${!ENVS[@]}"; do source_to "${PORTS[i]}" 1000000 > /dev/null 2>&1 & PIDS+=($!); done
sleep 2
sink_count() { tail -c 300 "$WORK/sink$1.log" | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
switches() { cat /proc/"$1"/task/*/status 2> /dev/null | awk '/ctxt_switches/ { s += $2 } END { print s }'; }
declare -a M0 C0 X0
for i in "${!ENVS[@]}"; do M0[i]=$(sink_count "$i"); C0[i]=$(ticks "${RELAYS[i]}"); X0[i]=$(switches "${RELAYS[i]}"); done
FILTER=$(printf 'tcp port %s or ' "${PORTS[@]}")
timeout "$SECS" tcpdump -i lo -s 100 -w "$WORK/capture.pcap" "${FILTER% or }" > /dev/null 2>&1 || true
echo "capture ${SECS} s, dkim=$DKIM, cores=$(nproc), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"
for i in "${!ENVS[@]}"; do
    m=$(($(sink_count "$i") - M0[i])) c=$(($(ticks "${RELAYS[i]}") - C0[i])) x=$(($(switches "${RELAYS[i]}") - X0[i]))
    awk -v name="$([[ $i == 0 ]] && echo A || echo B)" -v env="${ENVS[i]:-(default)}" -v app="${APPS[i]}" -v m="$m" -v c="$c" -v x="$x" -v s="$SECS" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%s: %s %s: %.0f msg/s delivered, %.2f ms CPU and %.1f context switches per message\n", name, env, app, m / s, c * 1000 / hz / m, x / m }'
done
for i in "${!ENVS[@]}"; do
    echo "== $([[ $i == 0 ]] && echo A || echo B)"
    /usr/bin/python3 "$ROOT/bench/session_steps.py" "$WORK/capture.pcap" "${PORTS[i]}"
done
