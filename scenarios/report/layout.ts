// The page shell: inline CSS, the small inline script (tooltips and the time cursor), and a
// Content-Security-Policy that forbids every fetch, so the page is provably self-contained.

import { esc } from './escape.ts';

const CSS = `
:root{--bg:#f5f6f8;--card:#fff;--ink:#1d2433;--muted:#6b7385;--line:#e3e6ec;--soft:#eef0f4;
--good:#2e8556;--good-bg:#e7f4ec;--bad:#c43f3a;--bad-bg:#fcebe9;--warn:#a86f12;--warn-bg:#fcf3e1;
--gutter:150px;--pad:18px;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","DejaVu Sans",Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1480px;margin:0 auto;padding:28px 28px 56px}
h1{font-size:26px;line-height:1.2;margin:0;font-weight:650;letter-spacing:-.01em;overflow-wrap:anywhere}
h2{font-size:15px;margin:0 0 12px;font-weight:620}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 20px;margin-top:18px;box-shadow:0 1px 2px rgba(20,30,50,.04)}
.muted{color:var(--muted)}
code,.mono{font-family:var(--mono);font-size:12.5px}
.head{display:grid;gap:10px}
.title-row{display:flex;align-items:center;gap:14px;flex-wrap:wrap}
.badge{font-weight:700;letter-spacing:.09em;font-size:13px;padding:5px 13px;border-radius:999px}
.badge.passed{background:var(--good-bg);color:var(--good);border:1px solid #bfe0cb}
.badge.failed{background:var(--bad-bg);color:var(--bad);border:1px solid #f0c2be}
.desc{margin:0;color:#3b4354;max-width:95ch;font-size:15px}
.meta{display:flex;flex-wrap:wrap;gap:4px 28px;margin:2px 0 0}
.meta div{display:flex;gap:8px;align-items:baseline}
.meta dt{color:var(--muted);font-size:11.5px;text-transform:uppercase;letter-spacing:.05em}
.meta dd{margin:0;font-variant-numeric:tabular-nums}
.failure{border-left:4px solid var(--bad);background:var(--bad-bg);border-radius:8px;padding:10px 14px}
.failure strong{color:var(--bad)}
.failure pre{margin:4px 0 0;white-space:pre-wrap;overflow-wrap:anywhere;font-family:var(--mono);font-size:13px}
.glance{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-top:6px}
.glance div{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.glance b{display:block;font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}
.glance span{color:var(--muted);font-size:12px}
.glance .bad b{color:var(--bad)}.glance .good b{color:var(--good)}
.section-head{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:6px 20px}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:12px;color:#3b4354;margin:0 0 10px}
.key{display:inline-flex;align-items:center;gap:6px;white-space:nowrap}
.key i{width:14px;height:10px;border-radius:3px;background:var(--c);display:inline-block}
.key i.ongoing{background:repeating-linear-gradient(-45deg,var(--c) 0 3px,#fff 3px 6px);border:1px solid var(--c)}
.key i.marker{width:0;height:14px;border-left:1px dashed rgba(29,36,51,.55);border-radius:0;background:none}
.aligned{position:relative;padding-right:var(--pad)}
.row{display:grid;grid-template-columns:var(--gutter) minmax(0,1fr)}
.gutter{padding-right:12px;position:relative;min-width:0}
.track{position:relative}
.lane{border-top:1px solid var(--soft)}
.lane-label{font-family:var(--mono);font-size:12px;color:#394152;align-self:center;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;text-align:right}
.group-label .gutter{font-size:10.5px;text-transform:uppercase;letter-spacing:.07em;color:var(--muted);text-align:right;padding-top:10px}
.bar,.step{position:absolute;height:18px;border-radius:4px;font-size:11px;line-height:18px;padding:0 6px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;cursor:default}
.bar{background:var(--c);color:#fff;min-width:6px;box-shadow:inset 0 -1px 0 rgba(0,0,0,.14);z-index:1}
.bar.narrow,.step.narrow{padding:0}
/* still active at the end: solid, then hatched up to the right edge */
.bar.ongoing{border-radius:4px 0 0 4px;padding-right:38px;background:linear-gradient(90deg,var(--c) calc(100% - 34px),transparent calc(100% - 34px)),repeating-linear-gradient(-45deg,transparent 0 4px,rgba(255,255,255,.75) 4px 8px) var(--c)}
.bar[data-fault-echo]{opacity:.72}
.bar:hover,.step:hover{filter:brightness(1.07);outline:2px solid rgba(29,36,51,.35);outline-offset:1px;z-index:2}
.touch{position:absolute;bottom:1px;height:3px;background:var(--c);opacity:.45;border-radius:2px;min-width:3px}
.step{background:#e9edf3;color:#394152;border:1px solid #d5dbe4;min-width:4px;line-height:16px}
.step.failed{background:var(--bad-bg);border-color:#e9b3ae;color:var(--bad)}
.step.timeout{background:var(--warn-bg);border-color:#ead09a;color:var(--warn)}
.axis .track{height:20px}
.tick{position:absolute;transform:translateX(-50%);font-size:11px;color:var(--muted);font-variant-numeric:tabular-nums;top:2px;white-space:nowrap}
.axis.top{border-bottom:1px solid var(--line)}
.axis.bottom .track{border-top:1px solid var(--line)}
.overlay{position:absolute;top:0;bottom:0;left:var(--gutter);right:var(--pad);pointer-events:none;z-index:3}
.vline{position:absolute;top:0;bottom:0;width:0}
.grid-line{border-left:1px solid rgba(29,36,51,.05)}
.step-line{border-left:1px dashed rgba(29,36,51,.32)}
.cursor{border-left:1px solid rgba(29,36,51,.65)}
.charts{margin-top:14px;padding-top:2px;border-top:1px solid var(--line)}
.chart{margin-top:12px}
.chart .gutter{height:120px;padding-right:52px;text-align:right}
.chart-title{font-size:12.5px;font-weight:600;color:#394152}
.chart-keys{display:flex;flex-direction:column;align-items:flex-end;gap:2px;font-size:11px;color:var(--muted);margin-top:4px}
.chart-keys .key i{height:3px;width:14px;border-radius:2px}
.ylabels{position:absolute;top:0;bottom:0;right:8px;width:44px}
.ylabels span{position:absolute;right:0;transform:translateY(-50%);font-size:10.5px;color:var(--muted);font-variant-numeric:tabular-nums;white-space:nowrap}
.plot{border-left:1px solid var(--line)}
.plot svg{display:block;width:100%;height:120px;overflow:visible}
.shade{opacity:.12}
.hgrid{stroke:#e6e9ee;stroke-width:1;vector-effect:non-scaling-stroke}
.series{stroke-width:1.8;vector-effect:non-scaling-stroke;stroke-linejoin:round;stroke-linecap:round}
.series.p99{stroke-dasharray:5 3}
.area{opacity:.14}
.plot-note{position:absolute;inset:0;display:flex;align-items:center;justify-content:center}
.empty-note{color:var(--muted);font-size:12px;padding:4px 0;font-style:italic}
table{border-collapse:collapse;width:100%;font-size:13px}
th{text-align:left;font-weight:600;font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);padding:6px 10px;border-bottom:1px solid var(--line)}
td{padding:7px 10px;border-bottom:1px solid var(--soft);vertical-align:top;overflow-wrap:anywhere}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:11.5px;font-weight:600;background:var(--soft);color:#394152;white-space:nowrap}
.pill.good{background:var(--good-bg);color:var(--good)}.pill.bad{background:var(--bad-bg);color:var(--bad)}.pill.warn{background:var(--warn-bg);color:var(--warn)}
tr.failed td,tr.timeout td{background:#fffafa}
td.error{font-family:var(--mono);font-size:12px;color:var(--bad);white-space:pre-wrap}
td.bound{white-space:nowrap}
table.steps td:nth-child(2){min-width:12em}
table.steps td:nth-child(3){white-space:nowrap}
.gauge{display:inline-block;width:90px;height:6px;border-radius:3px;background:var(--soft);vertical-align:middle;margin-right:8px;overflow:hidden}
.gauge i{display:block;height:100%;background:#86b5a3}.gauge.near i{background:#e0a43a}.gauge.over i{background:var(--bad)}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(112px,1fr));gap:10px;margin-bottom:14px}
.stat{background:var(--soft);border-radius:8px;padding:8px 12px}
.stat b{display:block;font-size:18px;font-weight:650;font-variant-numeric:tabular-nums}
.stat span{font-size:12px;color:var(--muted)}
.verdict{font-weight:600;padding:10px 14px;border-radius:8px;margin:0}
.verdict.good{background:var(--good-bg);color:var(--good)}.verdict.bad{background:var(--bad-bg);color:var(--bad)}.verdict.none{background:var(--soft);color:var(--muted);font-weight:500}
.violation{border:1px solid #f0c2be;border-radius:10px;padding:12px 14px;margin-top:12px;background:#fffbfb}
.violation .message{margin:6px 0 10px;white-space:pre-wrap;overflow-wrap:anywhere}
.ops th,.ops td{padding:4px 8px;font-size:12.5px}
.invariants{list-style:none;margin:0;padding:0;display:grid;gap:6px}
.invariants li{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline;padding:6px 10px;border-radius:8px;background:var(--soft)}
.invariants li.bad{background:var(--bad-bg)}
.mark{font-weight:700}li.good .mark{color:var(--good)}li.bad .mark{color:var(--bad)}
.inv-name{font-weight:560}.inv-msg{color:#4b5365;overflow-wrap:anywhere}
details summary{cursor:pointer;list-style:none;display:flex;align-items:baseline;gap:12px}
details summary::-webkit-details-marker{display:none}
details summary h2{margin:0}
details summary::before{content:"▸";color:var(--muted);display:inline-block;transition:transform .15s}
details[open] summary::before{transform:rotate(90deg)}
pre.json{background:#f8f9fb;border:1px solid var(--line);border-radius:8px;padding:12px 14px;overflow:auto;max-height:560px;font-family:var(--mono);font-size:12px;line-height:1.5;margin:12px 0 0}
footer{color:var(--muted);font-size:12px;margin-top:24px;text-align:center}
.tip{position:fixed;z-index:10;max-width:440px;background:#1d2433;color:#f3f5f9;font-size:12px;line-height:1.45;padding:8px 10px;border-radius:8px;box-shadow:0 6px 20px rgba(0,0,0,.22);pointer-events:none;white-space:pre-line;overflow-wrap:anywhere}
.tip strong{display:block;margin-bottom:2px}
@media (max-width:760px){:root{--gutter:104px;--pad:10px}main{padding:16px}.chart .gutter{padding-right:54px}.chart-title{font-size:11.5px}.ylabels{right:6px}.chart-keys{font-size:10px}.chart-keys .key{gap:4px}.chart-keys .key i{width:8px}.card{padding:14px}}
@media print{.tip,.cursor{display:none}body{background:#fff}.card{box-shadow:none}}
`;

// Tooltips for anything with data-tip; elsewhere over the timeline and charts, a cursor line and
// the figures at that second (from the embedded #report-data).
const SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const aligned = document.querySelector('.aligned');
  if (!aligned) return;
  const tip = document.createElement('div');
  tip.className = 'tip';
  tip.hidden = true;
  document.body.appendChild(tip);
  const cursor = aligned.querySelector('.cursor');
  const ref = aligned.querySelector('.track');
  const show = (text, x, y) => {
    const [head, ...rest] = text.split('\\n');
    const strong = document.createElement('strong');
    strong.textContent = head;
    tip.replaceChildren(strong, rest.join('\\n'));
    tip.hidden = false;
    tip.style.left = Math.max(8, Math.min(x + 14, innerWidth - tip.offsetWidth - 8)) + 'px';
    tip.style.top = (y + 18 + tip.offsetHeight > innerHeight ? y - tip.offsetHeight - 10 : y + 18) + 'px';
  };
  const hide = () => { cursor.hidden = true; tip.hidden = true; };
  const clock = (ms) => { const s = Math.max(0, ms) / 1000, m = Math.floor(s / 60); return m + ':' + (s - m * 60).toFixed(1).padStart(4, '0'); };
  const rate = (v) => (v >= 100 ? Math.round(v) : Math.round(v * 10) / 10) + '/s';
  const lat = (v) => v === null ? '—' : v < 10 ? v.toFixed(1) + ' ms' : v < 1000 ? Math.round(v) + ' ms' : (v / 1000).toFixed(2) + ' s';
  aligned.addEventListener('mousemove', (e) => {
    const r = ref.getBoundingClientRect();
    const f = (e.clientX - r.left) / r.width;
    if (f < 0 || f > 1) return hide();
    cursor.hidden = false;
    cursor.style.left = (f * 100) + '%';
    const el = e.target.closest('[data-tip]');
    if (el) return show(el.dataset.tip, e.clientX, e.clientY);
    const t = f * data.span;
    const step = data.steps.find((s) => t >= s[0] && t < s[1]);
    const lines = [clock(t) + (step ? '  ·  ' + step[2] : '')];
    const b = data.buckets.find((b) => t >= b[0] && t < b[0] + b[1]);
    if (b) lines.push('commits ' + rate(b[2]) + '   failed ' + rate(b[3]) + '   unknown ' + rate(b[4]), 'latency p50 ' + lat(b[5]) + '   p99 ' + lat(b[6]));
    for (const x of data.faults) if (t >= x[0] && (x[1] === null || t < x[1])) lines.push('● ' + x[2] + ': ' + x[3]);
    show(lines.join('\\n'), e.clientX, e.clientY);
  });
  aligned.addEventListener('mouseleave', hide);
})();
`;

export function page(title: string, body: string, dataJson: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="neon-local scenario report">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
<script type="application/json" id="report-data">${dataJson}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
