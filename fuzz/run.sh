#!/usr/bin/env bash
# Fuzzes one parser target (or "all", one after another) with AFL++ and SharpFuzz.
#   fuzz/run.sh <target|all> <seconds per target>
# Builds fuzz/MailRelay.Fuzz, copies the output to $FUZZ_WORK/bin and instruments the copies of
# MailRelay.dll and MailRelay.Smtp.dll there (the normal build is never touched), replays the seed corpus
# and the recorded findings (all must pass), then runs afl-fuzz. New crashes are left in
# $FUZZ_WORK/out/<target>/default/crashes and printed with the command that replays them.
# Closes with "N passed, N failed" over the targets run. Exit status: 0 when no target found a crash (or
# failed to run), 1 otherwise, 2 for bad arguments.
# Needs afl++ (apt) and SharpFuzz.CommandLine 2.3.0 (dotnet tool install -g); docs/fuzzing.md has the rest.
set -uo pipefail
cd "$(dirname "$0")/.."

targets=(smtp-command proxy-header data-decoder dkim-canonicalization queue-codecs configuration-syntax)
target=${1:-}
seconds=${2:-}
if [[ -z "$target" || ! "$seconds" =~ ^[0-9]+$ ]] || { [[ "$target" != all ]] && [[ ! " ${targets[*]} " == *" $target "* ]]; }; then
    echo "usage: fuzz/run.sh <${targets[*]// /|}|all> <seconds per target>" >&2
    exit 2
fi
[[ "$target" == all ]] && run=("${targets[@]}") || run=("$target")

export PATH="$PATH:$HOME/.dotnet/tools"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work=${FUZZ_WORK:-/tmp/mailrelay-fuzz}
mkdir -p "$work/out" || exit 1
plain=fuzz/MailRelay.Fuzz/bin/Release/net10.0
for tool in afl-fuzz sharpfuzz dotnet; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed (see docs/fuzzing.md)"; echo "0 passed, 1 failed"; exit 1; }
done

# What AFL++ needs on a shared CI box: no CPU governor or core_pattern checks, no screen UI, no pinning to a
# core others use, the dotnet host is not an AFL-instrumented binary (the instrumentation is in the IL).
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export AFL_SKIP_BIN_CHECK=1 AFL_FAST_CAL=1

if [[ "${FUZZ_PREPARED:-0}" != 1 ]]; then
    dotnet build fuzz/MailRelay.Fuzz/MailRelay.Fuzz.csproj -c Release -warnaserror -nologo -v q 2>&1 | tail -n 5
    ((PIPESTATUS[0] == 0)) || { echo "fuzz project build failed"; echo "0 passed, 1 failed"; exit 1; }
    rm -rf "$work/bin" && cp -r "$plain" "$work/bin" || exit 1
    for dll in MailRelay.Smtp.dll MailRelay.dll; do
        sharpfuzz "$work/bin/$dll" > "$work/instrument-$dll.log" 2>&1 \
            || { cat "$work/instrument-$dll.log"; echo "sharpfuzz could not instrument $dll"; echo "0 passed, 1 failed"; exit 1; }
    done
fi

passed=0 failed=0
for t in "${run[@]}"; do
    found=0
    seeds=fuzz/corpus/$t
    replay=("$seeds")
    [[ -d fuzz/findings/$t ]] && replay+=("fuzz/findings/$t")
    if ! dotnet "$plain/MailRelay.Fuzz.dll" "$t" "${replay[@]}" > "$work/replay-$t.log" 2>&1; then
        cat "$work/replay-$t.log"; echo "$t: a seed or a recorded finding fails again"; failed=$((failed + 1)); continue
    fi

    out=$work/out/$t
    rm -rf "$out"
    # -t: ms per input, generous because the box is shared; -V: stop after this many seconds.
    timeout -k 10 $((seconds + 120)) afl-fuzz -i "$seeds" -o "$out" -t 5000 -m none -V "$seconds" \
        -- "$(command -v dotnet)" "$work/bin/MailRelay.Fuzz.dll" "$t" > "$work/afl-$t.log" 2>&1
    status=$?
    stats=$out/default/fuzzer_stats
    if [[ ! -f "$stats" ]]; then
        tail -n 30 "$work/afl-$t.log"; echo "$t: afl-fuzz did not start (exit $status)"; failed=$((failed + 1)); continue
    fi

    stat() { sed -n "s/^$1 *: *//p" "$stats"; }
    if ((status != 0)); then
        tail -n 30 "$work/afl-$t.log"; echo "$t: afl-fuzz stopped early (exit $status)"; found=1
    fi
    echo "$t: $(stat execs_done) execs, $(stat execs_per_sec)/s, $(stat run_time)s, corpus $(stat corpus_count), crashes $(stat saved_crashes), hangs $(stat saved_hangs)"
    crashes=$(find "$out/default/crashes" -type f -name 'id:*' 2>/dev/null)
    if [[ -n "$crashes" ]]; then
        found=1
        echo "$t: crash found; replay with: dotnet $plain/MailRelay.Fuzz.dll $t <file>"
        while IFS= read -r file; do
            echo "  $file"
            dotnet "$plain/MailRelay.Fuzz.dll" "$t" "$file" 2>&1 | head -n 3 | sed 's/^/    /'
        done <<<"$crashes"
    fi

    # A hang counts only if it hangs again on its own (the box is shared; a slow moment is not a bug).
    while IFS= read -r file; do
        [[ -z "$file" ]] && continue
        if ! timeout 30 dotnet "$plain/MailRelay.Fuzz.dll" "$t" "$file" > /dev/null 2>&1; then
            echo "$t: input hangs or fails on its own: $file"; found=1
        fi
    done < <(find "$out/default/hangs" -type f -name 'id:*' 2>/dev/null)
    ((found)) && failed=$((failed + 1)) || passed=$((passed + 1))
done
echo "$passed passed, $failed failed"
((failed == 0))
