// The faults in effect in one cluster, kept by its supervisor: link faults (the rules the link
// proxies consult), process faults (killed or paused components) and failpoints, each optionally
// timed. Healing undoes a fault: links pass again, paused processes resume, killed ones start,
// failpoints turn off. `stop` heals everything first.

import { combineRules, pairKey, PASS, type LinkRule } from './link-rule.ts';
import { describeRequest, resolveGroup, type ActiveFault, type FaultRequest, type HealRequest } from './fault-request.ts';
import { NeonLocalError } from '../util/errors.ts';

/** What the controller needs from the supervisor to act on processes. */
export interface ProcessControl {
  names(): string[];
  kill(name: string): Promise<void>;
  start(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  /** SIGSTOP / SIGCONT to the component's process group; false if it is not running. */
  signal(name: string, signal: 'SIGSTOP' | 'SIGCONT'): Promise<boolean>;
  setFailpoint(name: string, failpoint: string, actions: string): Promise<void>;
  /** Whether the components connect through the link proxies (cluster.yaml link_proxies). */
  linksProxied(): boolean;
}

interface Entry {
  fault: ActiveFault;
  rule?: LinkRule;
  pairs?: Set<string>;
  timer?: NodeJS.Timeout;
  undo: () => Promise<void>;
}

export class FaultController {
  private readonly entries = new Map<string, Entry>();
  private nextId = 1;
  private rules = new Map<string, LinkRule>();

  constructor(
    private readonly processes: ProcessControl,
    /** Called after link rules change, to apply them to open connections. */
    private readonly linksChanged: () => Promise<void>,
    private readonly log: (message: string) => void,
  ) {}

  /** The rule for bytes from → to, with every active link fault combined. */
  rule(from: string, to: string): LinkRule {
    return this.rules.get(pairKey(from, to)) ?? PASS;
  }

  list(): ActiveFault[] {
    return [...this.entries.values()].map((e) => e.fault);
  }

  async inject(request: FaultRequest): Promise<ActiveFault> {
    const names = this.processes.names();
    const id = `f${this.nextId++}`;
    const startedAt = new Date();
    const expiresAt = request.kind !== 'resume' && request.durationMs ? new Date(startedAt.getTime() + request.durationMs) : null;
    const base = { id, startedAt: startedAt.toISOString(), expiresAt: expiresAt?.toISOString() ?? null };
    let entry: Entry;
    switch (request.kind) {
      case 'partition':
      case 'cut':
      case 'latency':
      case 'bandwidth': {
        if (!this.processes.linksProxied()) {
          throw new NeonLocalError('usage', `a ${request.kind} needs the link proxies, and this cluster runs without them (link_proxies: false in cluster.yaml)`, {
            hint: 'set link_proxies: true in cluster.yaml and restart the cluster; process faults and failpoints work either way',
          });
        }
        const from = resolveGroup(request.from, names);
        const to = resolveGroup(request.to, names);
        const pairs = new Set<string>();
        for (const a of from) {
          for (const b of to) {
            if (a === b) continue;
            pairs.add(pairKey(a, b));
            if (!request.oneWay) pairs.add(pairKey(b, a));
          }
        }
        if (pairs.size === 0) throw new NeonLocalError('usage', 'the two groups leave no link between different components');
        const rule = linkRule(request);
        entry = {
          fault: { ...base, kind: request.kind, description: describeRequest(request, from, to), targets: [...new Set([...from, ...to])], pairs: [...pairs] },
          rule,
          pairs,
          undo: async () => {},
        };
        this.entries.set(id, entry);
        await this.applyRules();
        break;
      }
      case 'kill':
      case 'restart': {
        const [name] = resolveGroup([request.component], names);
        if (request.kind === 'restart') {
          await this.processes.restart(name!);
          this.log(`fault ${id}: restarted ${name}`);
          return { ...base, kind: 'kill', description: `restart ${name}`, targets: [name!], expiresAt: null };
        }
        await this.processes.kill(name!);
        entry = { fault: { ...base, kind: 'kill', description: `kill -9 ${name}`, targets: [name!] }, undo: () => this.processes.start(name!) };
        this.entries.set(id, entry);
        break;
      }
      case 'pause': {
        const [name] = resolveGroup([request.component], names);
        if (!(await this.processes.signal(name!, 'SIGSTOP'))) throw new NeonLocalError('not-running', `${name} is not running, so it cannot be paused`);
        entry = { fault: { ...base, kind: 'pause', description: `pause ${name}`, targets: [name!] }, undo: async () => void (await this.processes.signal(name!, 'SIGCONT')) };
        this.entries.set(id, entry);
        break;
      }
      case 'resume': {
        const [name] = resolveGroup([request.component], names);
        const healed = await this.heal({}, (e) => e.fault.kind === 'pause' && e.fault.targets.includes(name!));
        if (healed.length === 0) await this.processes.signal(name!, 'SIGCONT'); // paused by hand: resume anyway
        return { ...base, kind: 'pause', description: `resume ${name}`, targets: [name!], expiresAt: null };
      }
      case 'failpoint': {
        const [name] = resolveGroup([request.component], names);
        await this.processes.setFailpoint(name!, request.name, request.actions);
        entry = {
          fault: { ...base, kind: 'failpoint', description: describeRequest(request), targets: [name!] },
          undo: () => this.processes.setFailpoint(name!, request.name, 'off'),
        };
        this.entries.set(id, entry);
        break;
      }
    }
    if (request.durationMs) entry.timer = setTimeout(() => void this.heal({ id }).catch((err: Error) => this.log(`healing ${id} failed: ${err.message}`)), request.durationMs);
    this.log(`fault ${id}: ${entry.fault.description}${expiresAt ? ` for ${request.durationMs} ms` : ''}`);
    return entry.fault;
  }

  /** Heals the faults the request selects; returns them. */
  async heal(request: HealRequest, extra?: (e: Entry) => boolean): Promise<ActiveFault[]> {
    const names = this.processes.names();
    let select: (e: Entry) => boolean;
    if (extra) select = extra;
    else if (request.all) select = () => true;
    else if (request.id) {
      if (!this.entries.has(request.id)) {
        throw new NeonLocalError('not-found', `no active fault ${request.id}`, { hint: `active: ${[...this.entries.keys()].join(', ') || 'none'}` });
      }
      select = (e) => e.fault.id === request.id;
    } else if (request.between) {
      const a = resolveGroup(request.between[0], names);
      const b = resolveGroup(request.between[1], names);
      const wanted = new Set(a.flatMap((x) => b.flatMap((y) => [pairKey(x, y), pairKey(y, x)])));
      select = (e) => e.pairs !== undefined && [...e.pairs].some((p) => wanted.has(p));
    } else {
      throw new NeonLocalError('usage', 'say which faults to heal: an id, two components, or all');
    }
    const chosen = [...this.entries.values()].filter(select);
    const failures: string[] = [];
    for (const e of chosen) {
      if (e.timer) clearTimeout(e.timer);
      this.entries.delete(e.fault.id);
      try {
        await e.undo();
      } catch (err) {
        failures.push(`${e.fault.id} (${e.fault.description}): ${(err as Error).message}`);
      }
      this.log(`healed ${e.fault.id}: ${e.fault.description}`);
    }
    if (chosen.some((e) => e.rule)) await this.applyRules();
    if (failures.length) throw new NeonLocalError('internal', `healing failed for ${failures.join('; ')}`);
    return chosen.map((e) => e.fault);
  }

  /**
   * The component is being stopped: its process faults end without being undone (a killed one is
   * not started again), except that a paused one is resumed so it can stop.
   */
  async forgetProcessFaults(name: string): Promise<void> {
    for (const e of [...this.entries.values()]) {
      if (!e.fault.targets.includes(name) || e.rule) continue;
      if (e.timer) clearTimeout(e.timer);
      this.entries.delete(e.fault.id);
      if (e.fault.kind === 'pause') await this.processes.signal(name, 'SIGCONT');
      this.log(`dropped ${e.fault.id} (${e.fault.description}): ${name} is being stopped`);
    }
  }

  private async applyRules(): Promise<void> {
    const byPair = new Map<string, LinkRule[]>();
    for (const e of this.entries.values()) {
      if (!e.rule || !e.pairs) continue;
      for (const p of e.pairs) byPair.set(p, [...(byPair.get(p) ?? []), e.rule]);
    }
    this.rules = new Map([...byPair].map(([p, rules]) => [p, combineRules(rules)]));
    await this.linksChanged();
  }
}

function linkRule(r: Extract<FaultRequest, { from: string[] }>): LinkRule {
  switch (r.kind) {
    case 'partition':
      return { ...PASS, mode: 'blackhole' };
    case 'cut':
      return { ...PASS, mode: 'cut' };
    case 'latency':
      if (!(r.latencyMs! > 0) && !(r.jitterMs! > 0)) throw new NeonLocalError('usage', 'a latency fault needs a positive latency (e.g. 50ms)');
      return { ...PASS, latencyMs: r.latencyMs ?? 0, jitterMs: r.jitterMs ?? 0 };
    case 'bandwidth':
      if (!r.bytesPerSecond || r.bytesPerSecond <= 0) throw new NeonLocalError('usage', 'a bandwidth limit needs a positive bytes per second');
      return { ...PASS, bandwidthBps: r.bytesPerSecond };
  }
}
