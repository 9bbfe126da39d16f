// The configuration contract between the chart and the daemon, for one rendered scenario:
//   1. the StatefulSet container's environment (secretKeyRef values resolved from the rendered Secret, or a
//      stand-in for an operator's existing Secret: a DKIM key, a certificate, a users file, a base64 TSIG secret,
//      or a placeholder token; mounted Secret files materialised under a temporary root)
//      passes `MailRelay config check` with exit 0, no warnings, and every variable the chart sets is one
//      the daemon reports, so the chart never sets a variable the daemon does not understand;
//   2. the daemon starts with exactly that environment (only the listen addresses moved to loopback port 0,
//      and LOG_LEVEL lowered to Information if it would hide the ready line),
//      logs its "ready: smtp=" line, greets on SMTP, answers the probe paths the chart configures with 200,
//      and exits 0 on SIGTERM within SHUTDOWN_TIMEOUT.
//   node contract.mjs <tools/node dir> <rendered.yaml> <MailRelay.dll>
// Prints "ok ..." / "FAIL ..." lines; exits 1 on any failure.
import { readFileSync, mkdirSync, writeFileSync, mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { get } from 'node:http';
import { pathToFileURL } from 'node:url';

const [toolsNode, renderedFile, dll] = process.argv.slice(2);
const { parseAllDocuments } = await import(pathToFileURL(join(toolsNode, 'node_modules', 'yaml', 'dist', 'index.js')).href);
const objects = parseAllDocuments(readFileSync(renderedFile, 'utf8')).map(d => d.toJS()).filter(Boolean);
const statefulSet = objects.find(o => o.kind === 'StatefulSet');
const secrets = new Map(objects.filter(o => o.kind === 'Secret').map(o => [o.metadata.name, o]));
let failures = 0;
const fail = message => { failures++; console.log(`  FAIL ${message}`); };
const ok = message => console.log(`  ok   ${message}`);

if (!statefulSet) { fail('no StatefulSet rendered'); process.exit(1); }
const pod = statefulSet.spec.template.spec;
const container = pod.containers.find(c => c.name === 'mail-relay');
const root = mkdtempSync(join(tmpdir(), 'mailrelay-contract-'));

// A self-signed certificate and its key, made once, for an operator's kubernetes.io/tls Secret.
let certificate;
function standInCertificate() {
    if (!certificate) {
        const dir = mkdtempSync(join(tmpdir(), 'mailrelay-contract-tls-'));
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=contract.test',
            '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
        certificate = { 'tls.crt': readFileSync(join(dir, 'tls.crt'), 'utf8'), 'tls.key': readFileSync(join(dir, 'tls.key'), 'utf8') };
        rmSync(dir, { recursive: true, force: true });
    }
    return certificate;
}

// Values of a Secret the chart made, or stand-ins for one the operator provides (existingSecret).
function secretValue(name, key) {
    const secret = secrets.get(name);
    if (secret) {
        if (secret.stringData?.[key] !== undefined) return secret.stringData[key];
        if (secret.data?.[key] !== undefined) return Buffer.from(secret.data[key], 'base64').toString('utf8');
        throw new Error(`Secret ${name} rendered without key ${key}`);
    }
    if (key.endsWith('.private')) {
        return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    }
    if (key === 'tls.crt' || key === 'tls.key') {
        return standInCertificate()[key];
    }
    if (key === 'users') {
        return 'contract-stand-in:{PLAIN}contract-stand-in-password\n';
    }
    if (key === 'hmac-secret') {
        return randomBytes(32).toString('hex');
    }
    if (key === 'tsig-secret') {
        return `${randomBytes(32).toString('base64')}\n`;
    }
    return `contract-stand-in-${key}`;
}

// Mounts: Secret volumes are written out file by file, everything else becomes an empty directory.
const mounts = [];
for (const mount of container.volumeMounts ?? []) {
    const volume = (pod.volumes ?? []).find(v => v.name === mount.name);
    const hostPath = join(root, mount.mountPath);
    mkdirSync(hostPath, { recursive: true });
    mounts.push({ mountPath: mount.mountPath, hostPath });
    if (volume?.secret) {
        const items = volume.secret.items ?? Object.keys(secrets.get(volume.secret.secretName)?.data ?? {}).map(k => ({ key: k, path: k }));
        for (const item of items) {
            const file = join(hostPath, item.path);
            mkdirSync(dirname(file), { recursive: true });
            writeFileSync(file, secretValue(volume.secret.secretName, item.key), { mode: 0o440 });
        }
    }
}
const onHost = value => {
    for (const m of mounts) {
        if (value === m.mountPath || value.startsWith(`${m.mountPath}/`)) return m.hostPath + value.slice(m.mountPath.length);
    }
    return value;
};

const env = {};
try {
    for (const e of container.env ?? []) {
        if (e.value !== undefined) env[e.name] = onHost(String(e.value));
        else if (e.valueFrom?.secretKeyRef) env[e.name] = secretValue(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
        // The downward API's pod name: the StatefulSet's first pod stands in.
        else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = `${statefulSet.metadata.name}-0`;
        else throw new Error(`${e.name}: unsupported valueFrom ${JSON.stringify(e.valueFrom)}`);
    }
} catch (err) {
    fail(`container env: ${err.message}`);
    process.exit(1);
}
if (!env.DATA_DIR || !env.DATA_DIR.startsWith(root)) fail(`DATA_DIR ${env.DATA_DIR} is not on a mounted volume`);

// Pod wiring: the ports Services and probes name are the ports the daemon listens on, and the pod keeps
// the secure defaults and a grace period above the drain deadline.
{
    const portOf = name => (container.ports ?? []).find(p => p.name === name)?.containerPort;
    const listenerPorts = (env.SMTP_LISTENERS ?? '').split(',').map(e => Number(/:?(\d+)(\/|$)/.exec(e.trim().replace(/^\[[^\]]*\]/, ''))?.[1]));
    const wiring = [];
    if (!listenerPorts.includes(portOf('smtp'))) wiring.push(`container port smtp (${portOf('smtp')}) is not in SMTP_LISTENERS ${env.SMTP_LISTENERS}`);
    if (portOf('submission') !== undefined && !listenerPorts.includes(portOf('submission'))) wiring.push(`container port submission (${portOf('submission')}) is not in SMTP_LISTENERS ${env.SMTP_LISTENERS}`);
    if (portOf('smtp-proxy') !== undefined && !(env.SMTP_LISTENERS ?? '').includes(`:${portOf('smtp-proxy')}/proxy`)) wiring.push(`container port smtp-proxy (${portOf('smtp-proxy')}) is not a /proxy listener`);
    if (portOf('admin') !== undefined && !(env.ADMIN_LISTEN ?? '').endsWith(`:${portOf('admin')}`)) wiring.push(`container port admin (${portOf('admin')}) is not ADMIN_LISTEN ${env.ADMIN_LISTEN}`);
    for (const service of objects.filter(o => o.kind === 'Service')) {
        for (const port of service.spec.ports ?? []) {
            if (portOf(port.targetPort) === undefined) wiring.push(`Service ${service.metadata.name} targets unknown port ${port.targetPort}`);
            if (port.targetPort === 'admin' && service.spec.type !== 'ClusterIP') wiring.push(`admin port exposed on ${service.spec.type} Service ${service.metadata.name}`);
        }
    }
    const sc = container.securityContext ?? {};
    const psc = pod.securityContext ?? {};
    if (!(sc.runAsNonRoot ?? psc.runAsNonRoot)) wiring.push('runAsNonRoot is not set');
    if ((sc.runAsUser ?? psc.runAsUser) !== 1654) wiring.push('not running as uid 1654');
    if (sc.readOnlyRootFilesystem !== true) wiring.push('root filesystem is writable');
    if (sc.allowPrivilegeEscalation !== false) wiring.push('privilege escalation allowed');
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) wiring.push('capabilities not dropped');
    if ((sc.seccompProfile ?? psc.seccompProfile)?.type !== 'RuntimeDefault') wiring.push('seccomp profile is not RuntimeDefault');
    // A token only for DNS publishing that calls the Kubernetes API: its DNSEndpoint, or its own LoadBalancer address.
    // The scale-down handoff reads the StatefulSet's replica count (HANDOFF_SERVICE).
    const needsApi = env.DNS_PROVIDER === 'external-dns' || Boolean(env.DNS_KUBERNETES_SERVICE) || Boolean(env.HANDOFF_SERVICE);
    if (needsApi && pod.automountServiceAccountToken !== true) wiring.push(`no service account token, but DNS publishing (${env.DNS_PROVIDER}) or the handoff calls the Kubernetes API`);
    if (env.HANDOFF_SERVICE) {
        const role = objects.find(o => o.kind === 'Role');
        const readsOwnSet = (role?.rules ?? []).some(r => (r.apiGroups ?? []).includes('apps') && (r.resources ?? []).includes('statefulsets')
            && (r.resourceNames ?? []).includes(statefulSet.metadata.name) && (r.verbs ?? []).includes('get'));
        if (!readsOwnSet) wiring.push(`HANDOFF_SERVICE set, but no Role lets the pod get StatefulSet ${statefulSet.metadata.name}`);
        const headless = objects.find(o => o.kind === 'Service' && o.metadata.name === statefulSet.spec.serviceName);
        if (!headless || headless.spec.clusterIP !== 'None') wiring.push(`HANDOFF_SERVICE set, but the StatefulSet's serviceName ${statefulSet.spec.serviceName} is not a rendered headless Service`);
        else if (!env.HANDOFF_SERVICE.startsWith(`${headless.metadata.name}.`)) wiring.push(`HANDOFF_SERVICE ${env.HANDOFF_SERVICE} is not the headless Service ${headless.metadata.name}`);
        if (Number(env.HANDOFF_PORT) !== portOf('smtp')) wiring.push(`HANDOFF_PORT ${env.HANDOFF_PORT} is not the SMTP container port ${portOf('smtp')}`);
        const drainAndHandoff = parseDuration(env.SHUTDOWN_TIMEOUT ?? '30s') + parseDuration(env.HANDOFF_TIMEOUT ?? '60s');
        if (!(pod.terminationGracePeriodSeconds > drainAndHandoff)) wiring.push(`terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} not above SHUTDOWN_TIMEOUT + HANDOFF_TIMEOUT (${drainAndHandoff}s)`);
    }
    if (!needsApi && pod.automountServiceAccountToken !== false) wiring.push('service account token mounted');
    const account = objects.find(o => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName);
    if (account && account.automountServiceAccountToken !== pod.automountServiceAccountToken) wiring.push(`ServiceAccount automountServiceAccountToken ${account.automountServiceAccountToken} differs from the pod's`);
    if (env.DNS_KUBERNETES_SERVICE && !objects.some(o => o.kind === 'Service' && o.metadata.name === env.DNS_KUBERNETES_SERVICE && o.spec.type === 'LoadBalancer')) wiring.push(`DNS_KUBERNETES_SERVICE ${env.DNS_KUBERNETES_SERVICE} is not a rendered LoadBalancer Service`);
    if (pod.enableServiceLinks !== false) wiring.push('service links enabled (they inject *_PORT variables)');
    // Secrets reach the daemon as mounted files (RELAY_PASSWORD_FILE, ...), never as environment variables, which
    // `kubectl describe`, crash dumps and child processes can show.
    for (const name of ['RELAY_PASSWORD', 'CLOUDFLARE_API_TOKEN', 'DNS_RFC2136_TSIG_SECRET', 'WEBHOOK_SECRET']) {
        if (env[name] !== undefined) wiring.push(`${name} reaches the pod as an environment variable; mount it and set ${name}_FILE`);
    }
    if (!/^[0-9a-f]{64}$/.test(statefulSet.spec.template.metadata?.annotations?.['checksum/config'] ?? '')) wiring.push('no checksum/config annotation');
    if (!(pod.terminationGracePeriodSeconds > parseDuration(env.SHUTDOWN_TIMEOUT ?? '30s'))) wiring.push(`terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} not above SHUTDOWN_TIMEOUT ${env.SHUTDOWN_TIMEOUT}`);
    const dataMount = (container.volumeMounts ?? []).find(m => m.mountPath === '/data');
    if (env.DATA_DIR !== undefined && !dataMount) wiring.push('DATA_DIR /data is not a mounted volume');
    if (wiring.length) fail(`pod wiring: ${wiring.join('; ')}`);
    else ok('pod wiring: ports, probes, security context, grace period');
}

// Nothing of this machine's environment leaks in: the daemon sees the pod's variables and a PATH.
const processEnv = extra => ({ PATH: process.env.PATH, HOME: root, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1', ...env, ...extra });

const check = spawnSync('dotnet', [dll, 'config', 'check'], { env: processEnv({}), encoding: 'utf8', timeout: 120000 });
if (check.status !== 0) {
    fail(`config check exited ${check.status}: ${(check.stderr || check.stdout).trim().replace(/\n/g, ' | ')}`);
} else {
    const reported = new Set(check.stdout.split('\n').map(l => l.split('=')[0]).filter(Boolean));
    // DOTNET_* tune the runtime (GC limits and the like), not the daemon; everything else must be the daemon's.
    const unknown = Object.keys(env).filter(n => !reported.has(n) && !n.startsWith('DOTNET_'));
    const warnings = check.stdout.split('\n').filter(l => l.startsWith('warning:'));
    if (unknown.length) fail(`variables the daemon does not know: ${unknown.join(', ')}`);
    else if (warnings.length) fail(`config check warnings: ${warnings.join(' | ')}`);
    else ok(`config check: ${Object.keys(env).length} variables accepted`);
}

// Start it with the same environment, bound to loopback ports the kernel picks.
const loopback = listeners => listeners.split(',').map(entry => {
    const flags = entry.trim().match(/(\/(proxy|tls))*$/)[0];
    return `127.0.0.1:0${flags}`;
}).join(',');
const overrides = { SMTP_LISTENERS: loopback(env.SMTP_LISTENERS ?? '2525') };
if ((env.ADMIN_LISTEN ?? '').toLowerCase() !== 'none') overrides.ADMIN_LISTEN = '127.0.0.1:0';
// Name lookups (the blocklist monitor, MX) go to a closed loopback port, never to a real resolver: the daemon must
// start and serve while they fail.
overrides.DNS_SERVERS = '127.0.0.1:9';
// The ready line is an Information event; a quieter LOG_LEVEL (already checked above) would hide it.
if (/^(warning|error|fatal)$/i.test(env.LOG_LEVEL ?? '')) overrides.LOG_LEVEL = 'Information';
// In the pod the mounted service-account token reaches the Kubernetes API; here a kubeconfig stands in for it,
// naming a closed loopback port: the daemon must start and serve mail while its DNS publishing fails and retries.
if (env.DNS_PROVIDER === 'external-dns' || env.DNS_KUBERNETES_SERVICE) {
    overrides.KUBECONFIG = join(root, 'kubeconfig-stand-in.yaml');
    writeFileSync(overrides.KUBECONFIG, [
        'apiVersion: v1', 'kind: Config',
        'clusters: [{name: stand-in, cluster: {server: "http://127.0.0.1:9"}}]',
        'users: [{name: stand-in, user: {token: stand-in}}]',
        'contexts: [{name: stand-in, context: {cluster: stand-in, user: stand-in, namespace: mail}}]',
        'current-context: stand-in', ''].join('\n'));
}

const probePaths = [container.livenessProbe, container.readinessProbe].filter(p => p?.httpGet).map(p => p.httpGet.path);
const shutdownSeconds = parseDuration(env.SHUTDOWN_TIMEOUT ?? '30s');
await runDaemon();
rmSync(root, { recursive: true, force: true });
process.exit(failures ? 1 : 0);

function parseDuration(text) {
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
    if (!m) return 30;
    return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? 's'];
}

async function runDaemon() {
    const daemon = spawn('dotnet', [dll], { env: processEnv(overrides), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let exited = null;
    const exit = new Promise(resolve => daemon.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));
    // Never leave a daemon behind, whatever happens to this script.
    process.on('exit', () => { if (!exited) daemon.kill('SIGKILL'); });
    daemon.stderr.on('data', d => { output += d; });
    const ready = new Promise(resolve => {
        let buffer = '';
        daemon.stdout.on('data', chunk => {
            output += chunk;
            buffer += chunk;
            let newline;
            while ((newline = buffer.indexOf('\n')) >= 0) {
                const line = buffer.slice(0, newline);
                buffer = buffer.slice(newline + 1);
                if (line.includes('ready: smtp=')) resolve(parseReady(line));
            }
        });
        exit.then(() => resolve(null));
    });
    const timer = setTimeout(() => daemon.kill('SIGKILL'), 90000);
    const endpoints = await ready;
    if (!endpoints) {
        fail(`daemon did not get ready (${exited ? `exit ${exited.code}` : 'timeout'}): ${output.trim().split('\n').slice(-3).join(' | ')}`);
        daemon.kill('SIGKILL');
        clearTimeout(timer);
        return;
    }
    ok(`daemon ready: smtp=${endpoints.smtp.join(',')} admin=${endpoints.admin}`);
    for (const endpoint of endpoints.smtp) {
        // A /proxy listener serves a loopback client (not a trusted proxy) as a direct client, so each greets.
        const banner = await smtpBanner(endpoint);
        if (/^220 /.test(banner)) ok(`SMTP ${endpoint} greets: ${banner.trim().slice(0, 60)}`);
        else fail(`SMTP ${endpoint} answered ${JSON.stringify(banner)}`);
    }
    for (const path of probePaths) {
        const status = endpoints.admin === 'off' ? 'admin listener off' : await httpStatus(endpoints.admin, path);
        if (status === 200) ok(`probe path ${path} answers 200`);
        else fail(`probe path ${path} answered ${status}`);
    }
    // The metric families this configuration registers, for the dashboard and alert check (METRIC_NAMES_FILE).
    if (process.env.METRIC_NAMES_FILE && endpoints.admin !== 'off') {
        const text = await httpText(endpoints.admin, '/metrics');
        const names = [...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map(m => m[1]);
        if (names.length) { appendFileSync(process.env.METRIC_NAMES_FILE, names.join('\n') + '\n'); ok(`/metrics: ${names.length} metric families`); }
        else fail('/metrics served no metric family');
    }
    const stopStarted = Date.now();
    daemon.kill('SIGTERM');
    const deadline = setTimeout(() => daemon.kill('SIGKILL'), (shutdownSeconds + 15) * 1000);
    const { code, signal } = await exit;
    clearTimeout(deadline);
    clearTimeout(timer);
    const seconds = ((Date.now() - stopStarted) / 1000).toFixed(1);
    if (code === 0) ok(`SIGTERM: exited 0 after ${seconds}s (SHUTDOWN_TIMEOUT ${env.SHUTDOWN_TIMEOUT ?? '30s'})`);
    else fail(`SIGTERM: exit ${code ?? signal} after ${seconds}s: ${output.trim().split('\n').slice(-2).join(' | ')}`);
}

function parseReady(line) {
    let smtp, admin;
    try {
        const event = JSON.parse(line);
        smtp = event.Smtp; admin = event.Admin;
    } catch {
        const m = /smtp=(\S+) admin=(\S+)/.exec(line);
        smtp = m?.[1]; admin = m?.[2];
    }
    const clean = s => String(s ?? '').replace(/"/g, '');
    return { smtp: clean(smtp).split(',').filter(Boolean), admin: clean(admin) };
}

function splitEndpoint(endpoint) {
    const i = endpoint.lastIndexOf(':');
    return { host: endpoint.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(endpoint.slice(i + 1)) };
}

function smtpBanner(endpoint) {
    return new Promise(resolve => {
        const socket = connect(splitEndpoint(endpoint));
        let text = '';
        socket.setTimeout(15000, () => { socket.destroy(); resolve(`timeout after ${JSON.stringify(text)}`); });
        socket.on('data', d => { text += d; if (text.includes('\r\n')) { socket.end('QUIT\r\n'); socket.destroy(); resolve(text); } });
        socket.on('error', e => resolve(`error ${e.message}`));
    });
}

function httpText(endpoint, path) {
    return new Promise(resolve => {
        const { host, port } = splitEndpoint(endpoint);
        const request = get({ host, port, path, timeout: 15000 }, response => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', d => { body += d; });
            response.on('end', () => resolve(body));
        });
        request.on('timeout', () => { request.destroy(); resolve(''); });
        request.on('error', () => resolve(''));
    });
}

function httpStatus(endpoint, path) {
    return new Promise(resolve => {
        const { host, port } = splitEndpoint(endpoint);
        const request = get({ host, port, path, timeout: 15000 }, response => { response.resume(); resolve(response.statusCode); });
        request.on('timeout', () => { request.destroy(); resolve('timeout'); });
        request.on('error', e => resolve(`error ${e.message}`));
    });
}
