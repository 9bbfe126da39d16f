// The scale-out objects of the chart, for a rendered multi-pod release and for the single-pod default:
//   node scale-out-check.mjs <tools/node dir> <rendered replicas.yaml> <rendered default.yaml> <values.yaml used>
// With replicaCount > 1: a PodDisruptionBudget selecting the pods, the StatefulSet's headless Service, REDIS_URL and
// the HANDOFF_* variables in the pod (HANDOFF_SERVICE naming that headless Service), a NetworkPolicy rule that
// admits the pods to each other on the SMTP port, a Role that lets the pod get its own StatefulSet, anti-affinity,
// and a grace period covering drain and handoff. With one pod: no PodDisruptionBudget (it would block every drain).
// Prints "ok ..." / "FAIL ..." lines; exits 1 on any failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [toolsNode, replicasFile, defaultFile, valuesFile] = process.argv.slice(2);
const { parseAllDocuments, parse } = await import(pathToFileURL(join(toolsNode, 'node_modules', 'yaml', 'dist', 'index.js')).href);
const load = file => parseAllDocuments(readFileSync(file, 'utf8')).map(d => d.toJS()).filter(Boolean);
const values = parse(readFileSync(valuesFile, 'utf8'));
let failures = 0;
const check = (condition, message) => {
    if (condition) console.log(`  ok   ${message}`);
    else { failures++; console.log(`  FAIL ${message}`); }
};
const seconds = text => { const m = /^(\d+)(ms|s|m|h|d)?$/.exec(String(text)); return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? 's']; };
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

const objects = load(replicasFile);
const set = objects.find(o => o.kind === 'StatefulSet');
const pod = set.spec.template.spec;
const podLabels = set.spec.template.metadata.labels;
const env = Object.fromEntries((pod.containers[0].env ?? []).map(e => [e.name, e]));

const pdb = objects.find(o => o.kind === 'PodDisruptionBudget');
check(pdb && matches(pdb.spec.selector.matchLabels, podLabels), 'a PodDisruptionBudget selects the relay pods');
check(pdb && pdb.spec.minAvailable === values.podDisruptionBudget.minAvailable, `the PodDisruptionBudget keeps minAvailable ${values.podDisruptionBudget.minAvailable}`);

const headless = objects.find(o => o.kind === 'Service' && o.metadata.name === set.spec.serviceName);
check(headless && headless.spec.clusterIP === 'None' && matches(headless.spec.selector, podLabels), `the StatefulSet's serviceName ${set.spec.serviceName} is a headless Service over the pods`);
check(env.HANDOFF_SERVICE?.value === `${set.spec.serviceName}.${set.metadata.namespace}.svc`, `HANDOFF_SERVICE names it (${env.HANDOFF_SERVICE?.value})`);
check(env.POD_NAME?.valueFrom?.fieldRef?.fieldPath === 'metadata.name', 'POD_NAME comes from the pod\'s metadata.name');
check(env.HANDOFF_PEERS?.value === values.handoff.peerNetworks.join(','), `HANDOFF_PEERS is handoff.peerNetworks (${env.HANDOFF_PEERS?.value})`);
check(env.REDIS_URL?.valueFrom?.secretKeyRef?.name === values.redis.existingSecret, 'REDIS_URL comes from redis.existingSecret');
check(env.REPLICAS?.value === String(values.replicaCount), `REPLICAS is replicaCount, each pod's share of every ceiling while Redis is down (${env.REPLICAS?.value})`);

const policy = objects.find(o => o.kind === 'NetworkPolicy');
const podToPod = (policy?.spec.ingress ?? []).find(rule => (rule.from ?? []).some(peer => peer.podSelector && !peer.namespaceSelector && matches(peer.podSelector.matchLabels, podLabels)));
check(podToPod && podToPod.ports.some(p => p.port === 'smtp') && podToPod.ports.every(p => p.port === 'smtp'), 'the NetworkPolicy admits the pods to each other on the SMTP port only');

const role = objects.find(o => o.kind === 'Role');
check((role?.rules ?? []).some(r => r.apiGroups.includes('apps') && r.resources.includes('statefulsets') && r.verbs.join() === 'get'
    && r.resourceNames?.length === 1 && r.resourceNames[0] === set.metadata.name), 'the Role lets the pod get its own StatefulSet, and nothing else of apps');
check(pod.automountServiceAccountToken === true, 'the pod has a token to read it');

const grace = seconds(values.terminationGracePeriodSeconds ?? 45) + seconds(values.handoff.timeout);
check(pod.terminationGracePeriodSeconds === grace, `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} = drain grace + handoff.timeout (${grace})`);
check(Boolean(pod.affinity?.podAntiAffinity), 'the pods are spread over nodes (podAntiAffinity)');

const single = load(defaultFile);
check(!single.some(o => o.kind === 'PodDisruptionBudget'), 'one pod: no PodDisruptionBudget (it would block every node drain)');

console.log(failures ? `${failures} failed` : 'ok scale-out objects');
process.exit(failures ? 1 : 0);
