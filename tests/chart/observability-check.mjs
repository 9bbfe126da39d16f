// Checks the Grafana dashboard and the alert rules the chart ships, for one rendered scenario that enables both:
//   names     every metric a dashboard query or an alert uses is documented in docs/metrics.md and registered
//             by the daemon (a live /metrics scrape of the scenarios: one family name per line in <scraped>);
//   runbooks  every alert has a section of its own name in docs/operations.md;
//   promtool  writes <out>/mail-relay-rules.yaml (the PrometheusRule's groups) and <out>/dashboard-queries.yaml (each
//             dashboard query as a recording rule, Grafana's variables replaced) for `promtool check rules`.
//   node observability-check.mjs <tools/node dir> <rendered.yaml> <docs/metrics.md> <docs/operations.md> <scraped> <out dir>
// Prints "ok ..." / "FAIL ..." lines; exits 1 on any failure.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [toolsNode, renderedFile, metricsDoc, operationsDoc, scrapedFile, outDir] = process.argv.slice(2);
const { parseAllDocuments, stringify } = await import(pathToFileURL(join(toolsNode, 'node_modules', 'yaml', 'dist', 'index.js')).href);
const objects = parseAllDocuments(readFileSync(renderedFile, 'utf8')).map(d => d.toJS()).filter(Boolean);
let failures = 0;
const fail = message => { failures++; console.log(`  FAIL ${message}`); };
const ok = message => console.log(`  ok   ${message}`);

const configMap = objects.find(o => o.kind === 'ConfigMap' && o.data?.['mail-relay.json']);
const rule = objects.find(o => o.kind === 'PrometheusRule');
if (!configMap) fail('no dashboard ConfigMap rendered (dashboard.grafana.enabled)');
if (!rule) fail('no PrometheusRule rendered (metrics.prometheusRule.enabled)');
if (!configMap || !rule) process.exit(1);

// The dashboard: valid JSON, unique panel ids, every query on the templated data source.
let dashboard;
try { dashboard = JSON.parse(configMap.data['mail-relay.json']); } catch (e) { fail(`dashboard JSON: ${e.message}`); process.exit(1); }
const panels = [];
const walk = list => { for (const p of list ?? []) { panels.push(p); walk(p.panels); } };
walk(dashboard.panels);
const ids = panels.map(p => p.id);
if (new Set(ids).size !== ids.length) fail('dashboard panel ids are not unique');
const queries = panels.flatMap(p => (p.targets ?? []).map(t => ({ panel: p.title, expr: t.expr, datasource: t.datasource ?? p.datasource })));
for (const q of queries.filter(q => q.datasource?.uid !== '${datasource}')) fail(`panel "${q.panel}" does not use the \${datasource} variable`);
ok(`dashboard: ${panels.filter(p => p.type !== 'row').length} panels, ${queries.length} queries`);

const alerts = rule.spec.groups.flatMap(g => g.rules).filter(r => r.alert);
ok(`PrometheusRule: ${alerts.length} alerts`);

// Metric names: used, documented, registered.
const used = new Map();   // name -> where
const histogramSuffix = /_(bucket|sum|count)$/;
const documented = new Set([...readFileSync(metricsDoc, 'utf8').matchAll(/^\| `(mailrelay_[a-z0-9_]+)`/gm)].map(m => m[1]));
const scraped = new Set(readFileSync(scrapedFile, 'utf8').split('\n').filter(Boolean));
const base = name => (!documented.has(name) && histogramSuffix.test(name) && documented.has(name.replace(histogramSuffix, ''))) ? name.replace(histogramSuffix, '') : name;
for (const { panel, expr } of queries) for (const m of expr.matchAll(/\bmailrelay_[a-z0-9_]+\b/g)) used.set(base(m[0]), `panel "${panel}"`);
for (const a of alerts) for (const m of String(a.expr).matchAll(/\bmailrelay_[a-z0-9_]+\b/g)) used.set(base(m[0]), `alert ${a.alert}`);
let namesOk = 0;
for (const [name, where] of used) {
    const problems = [];
    if (!documented.has(name)) problems.push('not in docs/metrics.md');
    if (!scraped.has(name)) problems.push('not registered by the daemon in any scenario\'s /metrics');
    if (problems.length) fail(`${name} (${where}): ${problems.join(', ')}`);
    else namesOk++;
}
ok(`${namesOk} of ${used.size} metric names used are documented and served (${scraped.size} served in all)`);

// Runbooks.
const operations = readFileSync(operationsDoc, 'utf8');
for (const a of alerts) {
    if (new RegExp(`^#{2,4} ${a.alert}$`, 'm').test(operations)) ok(`runbook section for ${a.alert}`);
    else fail(`docs/operations.md has no "### ${a.alert}" section`);
    if (!a.annotations?.summary || !a.annotations?.description) fail(`${a.alert} lacks a summary or description`);
}

// Files for promtool.
writeFileSync(join(outDir, 'mail-relay-rules.yaml'), stringify({ groups: rule.spec.groups }));
const grafanaVariables = expr => expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', '.*').replaceAll('$pod', '.*');
writeFileSync(join(outDir, 'dashboard-queries.yaml'), stringify({
    groups: [{ name: 'dashboard-queries', rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: grafanaVariables(q.expr) })) }],
}));
process.exit(failures ? 1 : 0);
