// The scenario report page in a real browser: headless Chromium opens report.html from file://,
// runs its script under the page's CSP, lays out the timeline and charts, and paints something
// worth looking at. Chromium is required (`apt-get install -y chromium`): without it this fails.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import t from 'tap';
import { writeReport } from '../../scenarios/report/json.ts';
import { sampleReport } from '../../scenarios/report/sample.ts';
import { KIND_COLOURS } from '../../scenarios/report/scale.ts';
import { tempDir } from '../helpers/processes.ts';

const CHROMIUM = process.env.NEON_LOCAL_CHROMIUM ?? '/usr/bin/chromium';
const RUN_TIMEOUT_MS = 60_000;
const WINDOW = { width: 1400, height: 1800 };

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

interface TestHost {
  teardown(fn: () => unknown): void;
}

/**
 * One Chromium run in its own process group (it forks zygotes and renderers) with a fresh profile;
 * the whole group is killed at the time limit and again at teardown, whatever happened.
 */
function chromium(t: TestHost, dir: string, args: string[]): Promise<Run> {
  const profile = fs.mkdtempSync(path.join(dir, 'profile-'));
  const child = spawn(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--hide-scrollbars', '--force-color-profile=srgb', `--user-data-dir=${profile}`, ...args],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let reaped = false;
  const killGroup = (): void => {
    try {
      if (child.pid && !reaped) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  t.teardown(killGroup);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`chromium did not finish within ${RUN_TIMEOUT_MS} ms; stderr:\n${stderr.slice(-2000)}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup(); // helpers (crashpad) may outlive the browser
      reaped = true; // the group id is not ours to signal any more
      resolve({ stdout, stderr, code });
    });
  });
}

/** RGBA pixels of an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes): enough to look at a screenshot. */
function decodePng(png: Buffer): { width: number; height: number; rgba: (x: number, y: number) => [number, number, number] } {
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
      const [depth, colour, interlace] = [data[8], data[9], data[12]];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth} colour ${colour} interlace ${interlace}`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? px[y * stride + i - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? px[(y - 1) * stride + i - channels]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][filter] ?? 0;
      px[y * stride + i] = (src[i]! + pred) & 0xff;
    }
  }
  return { width, height, rgba: (x, y) => [px[y * stride + x * channels]!, px[y * stride + x * channels + 1]!, px[y * stride + x * channels + 2]!] };
}

const hex = (c: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];

t.test('report.html renders in headless Chromium: timeline, one bar per fault, charts, a real picture', async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    // Not a skip: a missing browser must not turn this test green.
    return t.fail(`no Chromium at ${CHROMIUM}: the report's browser test needs it. Install it with \`apt-get install -y chromium\` (Debian/Ubuntu; .ci/run does this), or set NEON_LOCAL_CHROMIUM to a Chromium or Chrome binary.`);
  }
  const { dir, remove } = tempDir('neon-local-report-e2e-');
  t.teardown(remove);
  const report = sampleReport();
  const paths = await writeReport(path.join(dir, 'run'), report);
  const url = pathToFileURL(paths.html).href;

  await t.test('the DOM after load has the timeline, a bar per fault and the charts; the page script ran', async (t) => {
    const run = await chromium(t, dir, ['--dump-dom', url]);
    t.equal(run.code, 0, run.code === 0 ? 'chromium exited 0' : `chromium failed:\n${run.stderr.slice(-2000)}`);
    const dom = run.stdout;
    t.match(dom, /<div class="timeline" data-testid="timeline"/);
    const ids = [...dom.matchAll(/data-fault-id="([^"]*)"/g)].map((m) => m[1]);
    t.same(ids.sort(), report.faults.map((f) => f.id).sort(), 'one element per fault');
    for (const id of ['commits', 'latency', 'errors']) t.match(dom, new RegExp(`data-testid="chart-${id}"[\\s\\S]*?<svg[\\s\\S]*?</svg>`), `${id} chart`);
    t.match(dom, /<div class="tip" hidden(="")?>/, 'the inline script ran under the CSP (it adds the tooltip)');
    t.notMatch(dom, /<script>alert/, 'no injected script');
  });

  await t.test('layout: bars sit on the time axis, aligned with the charts', async (t) => {
    // A copy of the page with a probe appended that measures what the browser laid out.
    const probe = `<script>(() => {
      const r = (el) => { const b = el.getBoundingClientRect(); return { x: b.left, w: b.width, h: b.height }; };
      const out = { axis: r(document.querySelector('.timeline .axis .track')),
        bars: Object.fromEntries([...document.querySelectorAll('[data-fault-id]')].map((el) => [el.dataset.faultId, r(el)])),
        charts: [...document.querySelectorAll('[data-testid^="chart-"] svg')].map(r) };
      // Hover: the page's script shows a fault's details over its bar, the figures over a chart.
      const hover = (el, fx) => { const b = el.getBoundingClientRect();
        el.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, clientX: b.left + b.width * fx, clientY: b.top + b.height / 2 }));
        const tip = document.querySelector('.tip'); return tip && !tip.hidden ? tip.textContent : null; };
      out.barTip = hover(document.querySelector('[data-fault-id="f3-kill"]'), 0.5);
      out.chartTip = hover(document.querySelector('[data-testid="chart-commits"] svg'), 65 / 120);
      const s = document.createElement('script'); s.type = 'application/json'; s.id = 'probe'; s.textContent = JSON.stringify(out);
      document.body.appendChild(s);
    })();</script>`;
    const probed = path.join(path.dirname(paths.html), 'probe.html');
    fs.writeFileSync(probed, fs.readFileSync(paths.html, 'utf8').replace('</body>', `${probe}</body>`));
    const run = await chromium(t, dir, [`--window-size=${WINDOW.width},${WINDOW.height}`, '--dump-dom', pathToFileURL(probed).href]);
    const json = /<script type="application\/json" id="probe">([\s\S]*?)<\/script>/.exec(run.stdout)?.[1];
    if (!json) return t.fail(`no probe output; stderr:\n${run.stderr.slice(-2000)}`);
    const m = JSON.parse(json) as { barTip: string | null; chartTip: string | null; axis: { x: number; w: number }; bars: Record<string, { x: number; w: number; h: number }>; charts: { x: number; w: number; h: number }[] };
    t.ok(m.axis.w > 800, `the time axis is wide (${m.axis.w}px)`);
    const span = report.durationMs;
    for (const f of report.faults) {
      const bar = m.bars[f.id];
      if (!bar) {
        t.fail(`no bar for ${f.id}`);
        continue;
      }
      t.ok(bar.w >= 5 && bar.h >= 15, `${f.id} is visible (${bar.w.toFixed(0)}×${bar.h}px)`);
      const expected = m.axis.x + (f.startMs / span) * m.axis.w;
      t.ok(Math.abs(bar.x - expected) < 2, `${f.id} starts at ${f.startMs} ms on the axis (${bar.x.toFixed(1)} vs ${expected.toFixed(1)})`);
    }
    t.match(m.barTip, /^kill -9 · f3-kill\s*kill -9 sk3 \(down until restarted\)\s*targets: sk3\s*from 1:00\.0 to 1:15\.0 \(15\.0 s\)$/, 'hovering a bar shows its fault');
    t.match(m.chartTip, /^1:05\.\d  ·  slow sk2, kill -9 sk3\s*commits \d+(\.\d)?\/s {3}failed \d+\/s[\s\S]*● kill -9: kill -9 sk3/, 'hovering a chart shows that second');
    t.equal(m.charts.length, 3);
    for (const c of m.charts) {
      t.ok(Math.abs(c.x - m.axis.x) < 1.5 && Math.abs(c.w - m.axis.w) < 1.5, 'chart spans exactly the timeline axis');
      t.ok(c.h >= 100, 'chart has height');
    }
  });

  await t.test('a screenshot is a real picture with the fault colours in it', async (t) => {
    const shot = path.join(dir, 'report.png');
    const run = await chromium(t, dir, [`--screenshot=${shot}`, `--window-size=${WINDOW.width},${WINDOW.height}`, url]);
    t.equal(run.code, 0, run.code === 0 ? 'chromium exited 0' : `chromium failed:\n${run.stderr.slice(-2000)}`);
    t.ok(fs.existsSync(shot), 'screenshot written');
    const png = fs.readFileSync(shot);
    t.ok(png.length > 40_000, `screenshot is ${png.length} bytes`);
    const img = decodePng(png);
    t.same([img.width, img.height], [WINDOW.width, WINDOW.height]);
    const colours = new Map<string, number>();
    for (let y = 0; y < img.height; y += 3) {
      for (let x = 0; x < img.width; x += 3) {
        const key = img.rgba(x, y).join(',');
        colours.set(key, (colours.get(key) ?? 0) + 1);
      }
    }
    t.ok(colours.size > 200, `${colours.size} distinct colours, not a blank page`);
    const total = [...colours.values()].reduce((a, b) => a + b, 0);
    t.ok(Math.max(...colours.values()) / total < 0.9, 'no single colour covers 90% of the page');
    // Kinds whose colour nothing else on the page uses (kill red is also the failed-ops red).
    for (const kind of ['partition', 'latency', 'pause'] as const) {
      const want = hex(KIND_COLOURS[kind]);
      const found = [...colours.entries()].some(([k, n]) => n >= 20 && k.split(',').every((v, i) => Math.abs(Number(v) - want[i]!) <= 3));
      t.ok(found, `${kind} bars (${KIND_COLOURS[kind]}) are painted`);
    }
  });
});
