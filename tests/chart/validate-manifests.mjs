// Validates every object of a rendered chart (multi-document YAML) against the Kubernetes schemas shipped
// in the npm package kubernetes-models, and refuses fields the schemas do not know (kubeconform's --strict).
//   node validate-manifests.mjs <tools/node dir> <rendered.yaml>
// Prints one line per object; exits 1 when any object is invalid.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [toolsNode, renderedFile] = process.argv.slice(2);
const modules = join(toolsNode, 'node_modules');
const { parseAllDocuments } = await import(pathToFileURL(join(modules, 'yaml', 'dist', 'index.js')).href);
const modelsDir = join(modules, 'kubernetes-models');
const schemaFiles = new Set(readdirSync(join(modelsDir, '_schemas')));

// Custom resources whose CRDs kubernetes-models does not carry: checked by hand against their documented shape.
const customResources = {
    'monitoring.coreos.com/v1/ServiceMonitor': checkServiceMonitor,
    'monitoring.coreos.com/v1/PrometheusRule': checkPrometheusRule,
};

function schemaModuleFor(apiVersion, kind) {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
    const groupName = group.split('.')[0];
    const stem = `IoK8sApi${groupName[0].toUpperCase()}${groupName.slice(1)}${version[0].toUpperCase()}${version.slice(1)}${kind}`;
    // The package ships ES modules as .mjs beside CommonJS .js (4.x), or only ES modules as .js (5.x).
    for (const name of [`${stem}.mjs`, `${stem}.js`]) if (schemaFiles.has(name)) return join(modelsDir, '_schemas', name);
    return null;
}

// Runs a compiled schema validator over a proxy that records which properties it reads. A property the
// validator never looks at is one the schema does not declare: an unknown (misspelt or misplaced) field.
function unknownFields(validate, data) {
    const seen = new Map();
    const wrap = (value, path) => {
        if (value === null || typeof value !== 'object') return value;
        const keys = new Set();
        seen.set(path, { value, keys });
        return new Proxy(value, {
            get(target, key) {
                if (typeof key === 'string') keys.add(key);
                return wrap(target[key], `${path}/${String(key)}`);
            },
            ownKeys(target) {
                // Iterated objects are maps (labels, annotations, data): every key is legitimate.
                for (const k of Reflect.ownKeys(target)) keys.add(String(k));
                return Reflect.ownKeys(target);
            },
        });
    };
    validate(wrap(data, ''));
    const unknown = [];
    for (const [path, { value, keys }] of seen) {
        if (Array.isArray(value)) continue;
        for (const k of Object.keys(value)) if (!keys.has(k)) unknown.push(`${path}/${k}`);
    }
    return unknown;
}

function checkServiceMonitor(o) {
    const problems = [];
    const spec = o.spec ?? {};
    if (!spec.selector?.matchLabels || Object.keys(spec.selector.matchLabels).length === 0) problems.push('spec.selector.matchLabels is empty');
    if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0) problems.push('spec.endpoints is empty');
    for (const e of spec.endpoints ?? []) {
        for (const k of Object.keys(e)) if (!['port', 'path', 'interval', 'scrapeTimeout', 'scheme'].includes(k)) problems.push(`endpoint field ${k} unknown`);
        if (typeof e.port !== 'string' || !e.port) problems.push('endpoint.port must name a Service port');
        if (e.interval && !/^[0-9]+(ms|s|m|h)$/.test(e.interval)) problems.push(`endpoint.interval ${e.interval} is not a duration`);
    }
    return problems;
}

// The Prometheus Operator's PrometheusRule: spec.groups of named rule groups, each rule an alert or a record with an
// expression, an optional `for` duration, and string labels and annotations.
function checkPrometheusRule(o) {
    const problems = [];
    const groups = o.spec?.groups;
    for (const k of Object.keys(o.spec ?? {})) if (k !== 'groups') problems.push(`spec field ${k} unknown`);
    if (!Array.isArray(groups) || groups.length === 0) problems.push('spec.groups is empty');
    for (const g of groups ?? []) {
        for (const k of Object.keys(g)) if (!['name', 'interval', 'rules', 'partial_response_strategy', 'limit'].includes(k)) problems.push(`group field ${k} unknown`);
        if (typeof g.name !== 'string' || !g.name) problems.push('a group has no name');
        for (const r of g.rules ?? []) {
            const id = r.alert ?? r.record ?? '?';
            for (const k of Object.keys(r)) if (!['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'].includes(k)) problems.push(`${id}: rule field ${k} unknown`);
            if (!!r.alert === !!r.record) problems.push(`${id}: a rule is either an alert or a record`);
            if (r.expr === undefined || String(r.expr).trim() === '') problems.push(`${id}: no expr`);
            if (r.for && !/^([0-9]+(ms|s|m|h|d|w|y))+$/.test(r.for)) problems.push(`${id}: for ${r.for} is not a duration`);
            for (const map of [r.labels, r.annotations]) for (const [k, v] of Object.entries(map ?? {})) if (typeof v !== 'string') problems.push(`${id}: ${k} is not a string`);
        }
    }
    return problems;
}

const text = readFileSync(renderedFile, 'utf8');
let failed = 0, count = 0;
for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) { console.log(`FAIL yaml: ${doc.errors[0].message}`); failed++; continue; }
    const o = doc.toJS();
    if (o === null || o === undefined) continue;
    count++;
    const id = `${o.kind}/${o.metadata?.name}`;
    const problems = [];
    if (!o.apiVersion || !o.kind || !o.metadata?.name) problems.push('apiVersion, kind and metadata.name are required');
    const custom = customResources[`${o.apiVersion}/${o.kind}`];
    if (custom) {
        problems.push(...custom(o));
    } else {
        const schemaModule = o.apiVersion && o.kind ? schemaModuleFor(o.apiVersion, o.kind) : null;
        if (!schemaModule) {
            problems.push(`no schema for ${o.apiVersion} ${o.kind}`);
        } else {
            const { validate } = await import(pathToFileURL(schemaModule).href);
            if (!validate(o)) {
                for (const e of validate.errors ?? []) problems.push(`${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
            }
            for (const path of unknownFields(validate, o)) problems.push(`unknown field ${path}`);
        }
    }
    if (problems.length) {
        failed++;
        console.log(`  invalid ${id}: ${problems.join('; ')}`);
    }
}
if (count === 0) { console.log('  no objects rendered'); failed++; }
console.log(`  ${count} objects, ${failed} invalid`);
process.exit(failed ? 1 : 0);
