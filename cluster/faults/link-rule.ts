// What happens to bytes going from one component to another: the rule of a directed link. Link
// faults (partitions, latency, bandwidth limits) each contribute to the rules of the pairs they
// cover; the effective rule is their combination.
//
//   pass       bytes flow
//   cut        connections the first component opens to the second are refused (the proxy stops
//              listening), open ones are reset
//   blackhole  bytes from the first to the second are held back (nothing is lost: TCP would
//              retransmit them), new connections are accepted but go nowhere — a network partition
//   latency    each chunk arrives latencyMs ± jitterMs later, in order
//   bandwidth  at most bandwidthBps bytes per second

export type LinkMode = 'pass' | 'cut' | 'blackhole';

export interface LinkRule {
  mode: LinkMode;
  latencyMs: number;
  jitterMs: number;
  /** null: unlimited. */
  bandwidthBps: number | null;
}

export const PASS: LinkRule = Object.freeze({ mode: 'pass', latencyMs: 0, jitterMs: 0, bandwidthBps: null });

export function isPlainPass(rule: LinkRule): boolean {
  return rule.mode === 'pass' && rule.latencyMs === 0 && rule.jitterMs === 0 && rule.bandwidthBps === null;
}

/** Several faults on one link: the harshest mode wins, delays add up, the lowest bandwidth holds. */
export function combineRules(rules: LinkRule[]): LinkRule {
  if (rules.length === 0) return PASS;
  const modes = rules.map((r) => r.mode);
  const limits = rules.map((r) => r.bandwidthBps).filter((b): b is number => b !== null);
  return {
    mode: modes.includes('cut') ? 'cut' : modes.includes('blackhole') ? 'blackhole' : 'pass',
    latencyMs: rules.reduce((sum, r) => sum + r.latencyMs, 0),
    jitterMs: rules.reduce((sum, r) => sum + r.jitterMs, 0),
    bandwidthBps: limits.length ? Math.min(...limits) : null,
  };
}

export function pairKey(from: string, to: string): string {
  return `${from}>${to}`;
}
