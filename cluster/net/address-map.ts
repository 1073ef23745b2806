// Where a component really connects to. With link proxies on, each component's outbound
// connections to other components go to a harness-owned proxy per directed link (cluster/faults/);
// the component learns the proxy addresses from a map file named by NEON_LOCAL_LINKS, loaded once
// at startup. The map is keyed by the target's port (component ports are unique on the machine)
// and applies only to loopback hosts, so a real database or S3 endpoint is never rerouted.
//
// Only emulator processes load a map; the CLI, the supervisor and fixtures talk to components
// directly.

import fs from 'node:fs';

export const LINKS_ENV = 'NEON_LOCAL_LINKS';

interface Route {
  host: string;
  port: number;
}

let routes = new Map<number, Route>();

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

/** Loads the map named by NEON_LOCAL_LINKS, if any. Throws with the file name when it is unreadable. */
export function loadAddressMapFromEnv(): number {
  const file = process.env[LINKS_ENV];
  if (!file) return 0;
  let parsed: Record<string, string>;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    throw new Error(`cannot read the link map ${file} (${LINKS_ENV}): ${(err as Error).message}`);
  }
  setAddressMap(parsed);
  return routes.size;
}

/** `{ "<target port>": "host:port of the proxy" }`. */
export function setAddressMap(map: Record<string, string>): void {
  const next = new Map<number, Route>();
  for (const [port, to] of Object.entries(map)) {
    const m = /^(.*):(\d+)$/.exec(to);
    if (m) next.set(Number(port), { host: m[1]!, port: Number(m[2]) });
  }
  routes = next;
}

/** The address to dial for host:port. */
export function routeAddress(host: string, port: number): Route {
  if (routes.size === 0 || !LOOPBACK.test(host)) return { host, port };
  return routes.get(port) ?? { host, port };
}

/** The same for a URL (http://host:port/...). */
export function routeUrl(url: string): string {
  if (routes.size === 0) return url;
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const to = routeAddress(parsed.hostname, port);
  if (to.port === port && to.host === parsed.hostname) return url;
  parsed.hostname = to.host;
  parsed.port = String(to.port);
  return parsed.toString();
}
