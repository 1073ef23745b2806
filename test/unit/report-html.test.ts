// The scenario report page, rendered without a browser: structure, escaping, one bar per fault,
// self-containment, and the edge cases a run can produce (no faults, no series, no checker, long
// runs, many components). Plus report.json/report.html writing and reading.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { renderReportHtml } from '../../scenarios/report/html.ts';
import { readReport, writeReport } from '../../scenarios/report/json.ts';
import { sampleReport } from '../../scenarios/report/sample.ts';
import { REPORT_FORMAT, type ReportFault, type ScenarioReport } from '../../scenarios/report/types.ts';
import { tempDir } from '../helpers/processes.ts';

const VOID = new Set(['meta', 'link', 'br', 'hr', 'img', 'input']);

/** Every element closed in order (void and self-closing SVG elements aside); script and style bodies skipped. */
function unbalancedTags(html: string): string[] {
  const stripped = html.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, '').replace(/<!doctype[^>]*>/i, '');
  const stack: string[] = [];
  const problems: string[] = [];
  for (const m of stripped.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*)>/g)) {
    const [, close, name, rest] = m as unknown as [string, string, string, string];
    const tag = name.toLowerCase();
    if (VOID.has(tag) || rest.endsWith('/')) continue;
    if (!close) stack.push(tag);
    else if (stack.pop() !== tag) problems.push(`</${tag}> at ${m.index}`);
  }
  return [...problems, ...stack.map((s) => `<${s}> never closed`)];
}

const faultIds = (html: string): string[] => [...html.matchAll(/data-fault-id="([^"]*)"/g)].map((m) => m[1]!);

function bare(overrides: Partial<ScenarioReport> = {}): ScenarioReport {
  return {
    format: REPORT_FORMAT,
    scenario: { name: 'bare', description: '' },
    seed: 1,
    startedAt: 'not a date',
    durationMs: 0,
    outcome: 'passed',
    failure: null,
    topology: { pageservers: 0, safekeepers: 0, endpoints: [], components: [] },
    steps: [],
    faults: [],
    series: [],
    check: null,
    invariants: [],
    schedule: undefined,
    ...overrides,
  };
}

t.test('the sample report renders as one well-formed, self-contained page', async (t) => {
  const report = sampleReport();
  const html = renderReportHtml(report);
  t.match(html, /^<!doctype html>\n<html lang="en">/);
  t.ok(html.trimEnd().endsWith('</html>'));
  t.same(unbalancedTags(html), [], 'tags balance');
  t.match(html, /<title>FAILED · safekeeper-partition-kill — neon-local<\/title>/);
  t.match(html, /data-testid="outcome">FAILED</);
  t.match(html, /data-testid="failure"/);
  // Nothing is fetched: no remote URLs, the CSP forbids any load, the favicon is inline.
  t.notMatch(html, /\b(src|href)\s*=\s*"(?!data:|#)/, 'no src/href to anything but data: URLs');
  t.notMatch(html, /https?:\/\//, 'no http(s) URL anywhere');
  t.notMatch(html, /@import|url\(/, 'no CSS imports or url()');
  t.match(html, /Content-Security-Policy" content="default-src 'none'/);
  t.equal((html.match(/<script\b/g) ?? []).length, 2, 'only our data block and our script');
});

t.test('the timeline has one bar per fault, lanes for each component and link, and the charts', async (t) => {
  const report = sampleReport();
  const html = renderReportHtml(report);
  t.match(html, /<div class="timeline" data-testid="timeline" data-fault-count="6">/);
  t.same(faultIds(html).sort(), report.faults.map((f) => f.id).sort(), 'exactly one data-fault-id per fault');
  for (const c of report.topology.components) t.match(html, `data-lane="${c}"`, `lane for ${c}`);
  t.match(html, 'data-lane="sk1 ↔ ep-main"', 'a lane for the partitioned link');
  // The fault still active at the end reaches the right edge, hatched.
  t.match(html, /class="bar ongoing" data-fault-id="f6-latency"[^>]*left:86\.667%;width:13\.333%/);
  t.match(html, /data-fault-id="f3-kill" data-kind="kill" style="--c:#d1504b;left:50\.000%;width:12\.500%/);
  for (const id of ['commits', 'latency', 'errors']) t.match(html, new RegExp(`data-testid="chart-${id}"[\\s\\S]*?<svg viewBox="0 0 1000 100"`), `${id} chart`);
  t.equal((html.match(/class="shade"/g) ?? []).length, 3 * report.faults.length, 'each fault shaded behind each chart');
  t.equal((html.match(/class="vline step-line"/g) ?? []).length, 8, 'a marker at each step boundary');
  t.match(html, /<details><summary><h2>Fault schedule<\/h2>/, 'schedule collapsed by default');
  t.match(html, /&quot;kind&quot;: &quot;partition&quot;/, 'schedule pretty-printed');
});

t.test('all report text is escaped, in elements, attributes and the embedded data', async (t) => {
  const report = sampleReport();
  const evil = '</script><script>alert(1)</script> & "quoted" \'single\' \u2028';
  report.scenario.name = `name <img src=x onerror=alert(1)> "q"`;
  report.faults[0]!.description = evil;
  report.faults[0]!.id = 'id"><b>';
  report.steps[0]!.name = '<i>step</i>';
  report.invariants[1]!.message = '<u>msg</u>';
  const html = renderReportHtml(report);
  t.notMatch(html, /<script>alert/, 'no injected script element');
  t.notMatch(html, /<img src=x/);
  t.notMatch(html, /<i>step<\/i>|<u>msg<\/u>|<b>not<\/b>/);
  t.match(html, '&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; &amp; friends', 'the violation message, escaped');
  t.match(html, '&lt;b&gt;not&lt;/b&gt; bold &amp; &quot;quoted&quot;', 'the step error, escaped');
  t.match(html, 'name &lt;img src=x onerror=alert(1)&gt; &quot;q&quot;');
  t.match(html, 'data-fault-id="id&quot;&gt;&lt;b&gt;"', 'attribute values escaped');
  t.match(html, '\\u003c/script>\\u003cscript>alert(1)\\u003c/script>', 'embedded JSON cannot close its script');
  t.equal((html.match(/<script\b/g) ?? []).length, 2);
  t.equal((html.match(/<\/script>/g) ?? []).length, 2);
  const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!);
  t.equal(data.faults[0][3], evil, 'the embedded data round-trips to the original text');
  t.same(unbalancedTags(html), []);
});

t.test('edge cases render without throwing', async (t) => {
  const cases: [string, ScenarioReport][] = [
    ['everything empty', bare()],
    ['no faults', { ...sampleReport(), faults: [] }],
    ['empty series', { ...sampleReport(), series: [] }],
    ['null check', { ...sampleReport(), check: null }],
    ['no components', { ...sampleReport(), topology: { pageservers: 1, safekeepers: 3, endpoints: [], components: [] } }],
    ['odd numbers', bare({ durationMs: NaN, series: [{ t: 0, ok: NaN, fail: -1, unknown: 0, p50Ms: 0, p99Ms: Infinity }], steps: [{ name: 'x', startMs: 5, endMs: 1, boundMs: 0, outcome: 'failed' }] })],
    ['circular schedule', bare({ schedule: (() => { const o: Record<string, unknown> = { n: 10n }; o.self = o; return o; })() })],
    ['fault without targets or end', bare({ faults: [{ id: 'x', kind: 'failpoint', description: 'fp', targets: [], startMs: 10, endMs: null }] })],
  ];
  for (const [name, report] of cases) {
    let html = '';
    t.doesNotThrow(() => (html = renderReportHtml(report)), name);
    t.same(unbalancedTags(html), [], `${name}: tags balance`);
    t.equal(faultIds(html).length, report.faults.length, `${name}: one bar per fault`);
  }
  const empty = renderReportHtml(bare());
  t.match(empty, 'no faults were injected in this run');
  t.match(empty, 'no workload figures recorded');
  t.match(empty, 'The checker did not run');
  t.match(empty, '(no schedule recorded)');
  t.match(empty, /data-testid="outcome">PASSED</);
  t.match(renderReportHtml(cases[6]![1]), '&quot;self&quot;: &quot;[seen]&quot;');
  const shared = { at: 1 };
  t.notMatch(renderReportHtml(bare({ schedule: { a: shared, b: shared } })), '[seen]', 'a shared (not circular) object prints twice');
  t.match(renderReportHtml({ ...sampleReport(), outcome: 'passed', failure: null, check: { ...sampleReport().check!, ok: true, violations: [] } }), '✓ No violations');
  const partial = renderReportHtml({ ...sampleReport(), check: { ...sampleReport().check!, ok: false, violations: [], incomplete: 'the LSN reads could not run: connect ECONNREFUSED <ps>' } });
  t.match(partial, '✗ Incomplete: the LSN reads could not run: connect ECONNREFUSED &lt;ps&gt;', 'a check that could not fully run says why');
  t.notMatch(partial, 'failed without listing violations');
});

t.test('long runs are downsampled and many components each get a lane', async (t) => {
  const components = Array.from({ length: 40 }, (_, i) => `sk${i + 1}`);
  const faults: ReportFault[] = components.map((c, i) => ({ id: `k${i}`, kind: 'kill', description: `kill ${c}`, targets: [c], startMs: i * 90_000, endMs: i * 90_000 + 30_000 }));
  const series = Array.from({ length: 4000 }, (_, i) => ({ t: i * 1000, ok: 100 + (i % 10), fail: i === 2500 ? 7 : 0, unknown: 0, p50Ms: 2, p99Ms: i === 3333 ? 5000 : 9 }));
  const report = bare({ durationMs: 4_000_000, topology: { pageservers: 0, safekeepers: 40, endpoints: [], components }, faults, series });
  const started = Date.now();
  const html = renderReportHtml(report);
  t.ok(Date.now() - started < 2000, 'renders quickly');
  t.equal(faultIds(html).length, 40);
  t.equal((html.match(/class="row lane component"/g) ?? []).length, 40);
  const commits = /data-testid="chart-commits"[\s\S]*?<polyline class="series" points="([^"]*)"/.exec(html)![1]!;
  const points = commits.split(' ').length;
  t.ok(points <= 720 && points >= 500, `commits line downsampled to ${points} points`);
  t.match(html, 'each chart point averages 6.00 s (p99: worst)');
  t.match(html, /<span class="tick" style="left:[\d.]+%">1:00:00<\/span>/, 'hour-scale axis labels');
  const data = JSON.parse(/id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!);
  t.equal(Math.max(...data.buckets.map((b: number[]) => b[6] ?? 0)), 5000, 'the p99 spike survives downsampling');
  t.ok(html.length < 400_000, `page stays small (${html.length} bytes)`);
});

t.test('a process fault on several components is echoed on each lane, counted once', async (t) => {
  const report = bare({
    topology: { pageservers: 1, safekeepers: 2, endpoints: [], components: ['ps1', 'sk1', 'sk2'] },
    faults: [{ id: 'p', kind: 'pause', description: 'pause both safekeepers', targets: ['safekeeper-1', 'sk2', 'SK2', 'elsewhere'], startMs: 0, endMs: 1000 }],
  });
  const html = renderReportHtml(report);
  t.same(faultIds(html), ['p']);
  t.equal((html.match(/data-fault-echo="p"/g) ?? []).length, 2, 'echoed on sk2 and on the unknown target');
  t.match(html, /data-lane="sk1"[\s\S]*?data-fault-id="p"/, '"safekeeper-1" matched lane sk1');
  t.match(html, 'data-lane="elsewhere"', 'a target outside the topology gets its own lane');
});

t.test('writeReport writes both files; readReport reads ours and refuses others clearly', async (t) => {
  const { dir, remove } = tempDir('neon-local-report-');
  t.teardown(remove);
  const out = path.join(dir, 'nested', 'run-1');
  const paths = await writeReport(out, sampleReport());
  t.same(paths, { json: path.join(out, 'report.json'), html: path.join(out, 'report.html') });
  t.same(await readReport(paths.json), sampleReport(), 'round trip');
  t.equal(fs.readFileSync(paths.html, 'utf8'), renderReportHtml(sampleReport()));

  const write = (name: string, text: string): string => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  await t.rejects(readReport(write('other.json', '{"name":"package"}')), { code: 'usage', message: /is not a scenario report: it has no "format" field/ });
  await t.rejects(readReport(write('array.json', '[1]')), { message: /not a scenario report/ });
  await t.rejects(readReport(write('v9.json', '{"format":"neon-local-scenario-report/9"}')), { message: /format "neon-local-scenario-report\/9"; this version of neon-local reads "neon-local-scenario-report\/1"/ });
  await t.rejects(readReport(write('bad.json', '<html>')), { message: /not JSON/ });
  await t.rejects(readReport(path.join(dir, 'missing.json')), { code: 'not-found', message: /no report at/ });
});
