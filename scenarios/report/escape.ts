// Escaping and number/time formatting for the HTML report. Every piece of report text goes through
// `esc` (names, descriptions and error messages can contain < & " '), the same function serves
// attribute values because it escapes quotes too.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** JSON to embed in a <script type="application/json">: no `</script>`, no `<!--`, no line separators JS chokes on. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Pretty JSON of anything (the schedule is `unknown`): never throws, so a bad schedule cannot break the page. */
export function prettyJson(value: unknown): string {
  if (value === undefined) return '(no schedule recorded)';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    // A cycle or a BigInt: print what can be printed (repeated objects may then show as [seen]).
  }
  try {
    const seen = new WeakSet<object>();
    return JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[seen]';
        seen.add(v);
      }
      return v;
    }, 2) ?? String(value);
  } catch (err) {
    return `(schedule is not serialisable: ${(err as Error).message})`;
  }
}

/** A finite number or the fallback: the page must render whatever numbers the runner produced. */
export function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Time since the scenario start as a clock: 0:05, 1:30, 1:02:03; with tenths below 10 s steps when asked. */
export function clock(ms: number, decimals = 0): string {
  const neg = ms < 0;
  const abs = Math.abs(ms);
  const totalS = abs / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  const sText = decimals > 0 ? s.toFixed(decimals).padStart(3 + decimals, '0') : pad2(Math.floor(s));
  const body = h > 0 ? `${h}:${pad2(m)}:${sText}` : `${m}:${sText}`;
  return neg ? `-${body}` : body;
}

/** A duration for people: 850 ms, 12.3 s, 4m 05s, 2h 03m. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad2(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad2(Math.floor((s % 3600) / 60))}m`;
}

/** 1234567 → 1,234,567 (fixed locale so the page does not depend on the machine that rendered it). */
export function count(n: number): string {
  return Math.round(num(n)).toLocaleString('en-US');
}

/** Compact axis labels: 950, 1.2k, 35k, 1.5M. */
export function compact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e3) return `${trim(n / 1e3)}k`;
  return trim(n);
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) < 10 ? 1 : 0).replace(/\.0$/, '');
}

/** The start time as "2025-11-22 05:23:11 UTC"; the raw string when it is not a date. */
export function startTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
