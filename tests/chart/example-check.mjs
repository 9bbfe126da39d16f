// Checks that a rendered scenario can be installed as its documentation says, for one rendered file:
//   secrets   every Secret the pod refers to (volumes, projected volumes, secretKeyRef, envFrom) that the chart
//             does not render itself is created, with every key the pod reads and in the release's namespace,
//             by the `kubectl create secret` commands of each document given with --commands
//             (comment lines of a values file, or the "## Install" section of a Markdown page);
//   network   when a NetworkPolicy is rendered, it admits on the SMTP port(s) the clients the configuration
//             serves: every trusted network (loopback aside), and when SMTP AUTH is on behind a LoadBalancer or
//             NodePort Service, the load balancer's source ranges (which must then be set: "anyone" needs 0.0.0.0/0),
//             and with INBOUND_ENABLED everyone (feedback mail comes from the internet).
//   node example-check.mjs <tools/node dir> <rendered.yaml> [--commands FILE]...
// Prints "ok ..." / "FAIL ..." lines; exits 1 on any failure.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [toolsNode, renderedFile, ...rest] = process.argv.slice(2);
const commandFiles = [];
for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--commands') commandFiles.push(rest[++i]);
    else throw new Error(`unknown argument ${rest[i]}`);
}
const { parseAllDocuments } = await import(pathToFileURL(join(toolsNode, 'node_modules', 'yaml', 'dist', 'index.js')).href);
const objects = parseAllDocuments(readFileSync(renderedFile, 'utf8')).map(d => d.toJS()).filter(Boolean);
let failures = 0;
const fail = message => { failures++; console.log(`  FAIL ${message}`); };
const ok = message => console.log(`  ok   ${message}`);

const statefulSet = objects.find(o => o.kind === 'StatefulSet');
if (!statefulSet) { fail('no StatefulSet rendered'); process.exit(1); }
const namespace = statefulSet.metadata.namespace;
const pod = statefulSet.spec.template.spec;
const containers = [...(pod.initContainers ?? []), ...pod.containers];
const env = new Map(containers.flatMap(c => c.env ?? []).filter(e => e.value !== undefined).map(e => [e.name, e.value]));

// ---- secrets ----
const rendered = new Set(objects.filter(o => o.kind === 'Secret').map(o => o.metadata.name));
const referenced = new Map();   // name -> Set of keys (empty: the whole Secret)
const refer = (name, keys) => {
    if (rendered.has(name)) return;
    if (!referenced.has(name)) referenced.set(name, new Set());
    for (const key of keys) referenced.get(name).add(key);
};
for (const volume of pod.volumes ?? []) {
    if (volume.secret) refer(volume.secret.secretName, (volume.secret.items ?? []).map(i => i.key));
    for (const source of volume.projected?.sources ?? []) {
        if (source.secret) refer(source.secret.name, (source.secret.items ?? []).map(i => i.key));
    }
}
for (const container of containers) {
    for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref) refer(ref.name, [ref.key]);
    }
    for (const from of container.envFrom ?? []) {
        if (from.secretRef) refer(from.secretRef.name, []);
    }
}

// The shell commands of a document, continuation lines joined.
function commandsOf(file) {
    const text = readFileSync(file, 'utf8');
    let lines;
    if (file.endsWith('.md')) {
        const install = text.split(/^## /m).find(section => section.startsWith('Install\n'));
        if (!install) return [];
        lines = [...install.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].flatMap(m => m[1].split('\n'));
    } else {
        lines = text.split('\n').filter(l => l.startsWith('#')).map(l => l.replace(/^#\s*/, ''));
    }
    const commands = [];
    let current = '';
    for (const line of lines) {
        const trimmed = line.trim();
        if (trimmed.endsWith('\\')) { current += trimmed.slice(0, -1) + ' '; continue; }
        current += trimmed;
        if (current.trim()) commands.push(current.trim());
        current = '';
    }
    return commands;
}

// What a `kubectl create secret` command creates: name, namespace, keys.
function secretCreation(command) {
    const words = command.match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
    if (words[0] !== 'kubectl') return null;
    const at = words.findIndex((w, i) => w === 'create' && words[i + 1] === 'secret');
    if (at < 0) return null;
    const type = words[at + 2];
    const name = words[at + 3];
    let ns = 'default';
    const keys = new Set(type === 'tls' ? ['tls.crt', 'tls.key'] : []);
    for (let i = 1; i < words.length; i++) {
        const word = words[i];
        if (word === '-n' || word === '--namespace') ns = words[++i];
        else if (word.startsWith('--namespace=')) ns = word.slice('--namespace='.length);
        else if (word.startsWith('--from-literal=')) keys.add(word.slice('--from-literal='.length).split('=')[0]);
        else if (word.startsWith('--from-file=')) {
            const spec = word.slice('--from-file='.length);
            keys.add(spec.includes('=') ? spec.split('=')[0] : basename(spec));
        }
    }
    return { type, name, namespace: ns, keys };
}

for (const file of commandFiles) {
    const created = new Map(commandsOf(file).map(secretCreation).filter(Boolean).map(c => [c.name, c]));
    for (const [name, keys] of referenced) {
        const creation = created.get(name);
        if (!creation) { fail(`${file}: no command creates Secret ${name}, which the pod mounts`); continue; }
        if (creation.namespace !== namespace) {
            fail(`${file}: Secret ${name} is created in namespace ${creation.namespace}, the release is in ${namespace}`);
            continue;
        }
        const missing = [...keys].filter(k => !creation.keys.has(k));
        if (missing.length) fail(`${file}: Secret ${name} is created without the key(s) ${missing.join(', ')} the pod reads`);
        else ok(`${file}: creates Secret ${name}${keys.size ? ` with ${[...keys].join(', ')}` : ''}`);
    }
}

// ---- network ----
function parseCidr(cidr) {
    const [address, lengthText] = cidr.split('/');
    if (address.includes(':')) {
        let [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
        const headParts = head ? head.split(':') : [];
        const tailParts = tail ? tail.split(':') : [];
        const parts = tail === undefined ? headParts : [...headParts, ...Array(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
        const value = parts.reduce((sum, p) => (sum << 16n) + BigInt(parseInt(p || '0', 16)), 0n);
        return { family: 6, value, length: Number(lengthText ?? 128), bits: 128 };
    }
    const value = address.split('.').reduce((sum, p) => (sum << 8n) + BigInt(Number(p)), 0n);
    return { family: 4, value, length: Number(lengthText ?? 32), bits: 32 };
}
const contains = (outer, inner) => {
    const a = parseCidr(outer), b = parseCidr(inner);
    if (a.family !== b.family || b.length < a.length) return false;
    const shift = BigInt(a.bits - a.length);
    return (a.value >> shift) === (b.value >> shift);
};
const isLoopback = cidr => contains('127.0.0.0/8', cidr) || cidr === '::1/128' || cidr === '::1';

const policy = objects.find(o => o.kind === 'NetworkPolicy');
if (policy) {
    const portNames = ['smtp'];
    if (container(pod).ports?.some(p => p.name === 'submission')) portNames.push('submission');
    const rules = (policy.spec.ingress ?? []).filter(r => (r.ports ?? []).some(p => portNames.includes(p.port)));
    const admits = (cidr, port) => rules.some(rule => (rule.ports ?? []).some(p => p.port === port)
        && (!rule.from?.length || rule.from.some(peer => peer.ipBlock && contains(peer.ipBlock.cidr, cidr)
            && !(peer.ipBlock.except ?? []).some(except => contains(except, cidr) || contains(cidr, except)))));
    // The relay's own pods admitted to each other (the scale-down handoff) are no client peers.
    const ownLabels = statefulSet.spec.template.metadata?.labels ?? {};
    const isOwnPods = peer => peer.podSelector && !peer.namespaceSelector
        && Object.entries(peer.podSelector.matchLabels ?? {}).every(([k, v]) => ownLabels[k] === v) && Object.keys(peer.podSelector.matchLabels ?? {}).length > 0;
    const viaPeers = rules.some(rule => (rule.from ?? []).some(peer => !peer.ipBlock && !isOwnPods(peer)));
    const trusted = (env.get('TRUSTED_NETWORKS') ?? '').split(',').map(s => s.trim()).filter(Boolean).filter(c => !isLoopback(c));
    for (const cidr of trusted) {
        if (admits(cidr, 'smtp')) ok(`NetworkPolicy admits the trusted network ${cidr} on the SMTP port`);
        else if (viaPeers) ok(`trusted network ${cidr} is left to the policy's pod/namespace peers`);
        else fail(`NetworkPolicy does not admit the trusted network ${cidr} on the SMTP port: its clients could never relay`);
    }
    if (env.get('INBOUND_ENABLED') === 'true') {
        for (const cidr of ['0.0.0.0/0', '::/0']) {
            if (admits(cidr, 'smtp')) ok(`NetworkPolicy admits feedback mail from anywhere (${cidr}) on the SMTP port`);
            else fail(`INBOUND_ENABLED is true but the NetworkPolicy does not admit feedback mail from anywhere (${cidr}) on the SMTP port: bounces, complaints and DMARC reports come from the internet`);
        }
    }
    const service = objects.find(o => o.kind === 'Service' && ['LoadBalancer', 'NodePort'].includes(o.spec.type));
    if (env.get('SMTP_AUTH_ENABLED') === 'true' && service) {
        const ranges = service.spec.loadBalancerSourceRanges ?? [];
        const authClients = ranges.length ? ranges : ['0.0.0.0/0'];
        for (const cidr of authClients) {
            for (const port of portNames) {
                if (admits(cidr, port)) ok(`NetworkPolicy admits the authenticating clients ${cidr} (${service.spec.type} source range${ranges.length ? '' : ': any'}) on port ${port}`);
                else fail(`SMTP AUTH is offered behind the ${service.spec.type} Service to ${cidr}${ranges.length ? '' : ' (no loadBalancerSourceRanges: anyone)'}, but the NetworkPolicy does not admit them on port ${port}`);
            }
        }
    }
}

function container(spec) { return spec.containers.find(c => c.name === 'mail-relay') ?? spec.containers[0]; }

console.log(`  ${failures ? 'FAIL' : 'ok  '} ${referenced.size} operator Secret(s), ${commandFiles.length} document(s)${policy ? ', NetworkPolicy checked' : ''}`);
process.exit(failures ? 1 : 0);
