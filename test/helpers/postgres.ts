// A real PostgreSQL for tests of the storage controller's --database-url mode. CI starts one and
// passes NEON_LOCAL_TEST_DATABASE_URL (a server URL); otherwise a throwaway server is started from
// the PostgreSQL binaries on this machine. Each test gets a database of its own.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import getPort from 'get-port';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

function findPgBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const bin = path.join(base, v, 'bin');
    if (fs.existsSync(path.join(bin, 'initdb'))) return bin;
  }
  throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql/*/bin; install postgresql (apt-get install postgresql) or set NEON_LOCAL_TEST_DATABASE_URL');
}

/** initdb refuses to run as root: run it as the `postgres` user then. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

async function startThrowawayServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const bin = findPgBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-pg-'));
  fs.chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const port = await getPort();
  const run = (cmd: string, args: string[]) => {
    const [c, a] = asPostgresUser(path.join(bin, cmd), args);
    return execa(c, a, { cwd: dir });
  };
  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  await run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let server: Promise<{ url: string; stop: () => Promise<void> }> | undefined;

/** A fresh, empty database; `drop()` removes it (and stops a throwaway server). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const external = process.env['NEON_LOCAL_TEST_DATABASE_URL'];
  server ??= external ? Promise.resolve({ url: external, stop: async () => {} }) : startThrowawayServer();
  const { url: serverUrl, stop } = await server;
  const name = `neon_local_test_${crypto.randomBytes(6).toString('hex')}`;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      if (!external) {
        server = undefined;
        await stop();
      }
    },
  };
}
