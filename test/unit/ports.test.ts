// Port allocation: in range, distinct, and never a port another registered cluster uses.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { PortAllocator, portRange, withPortAllocator } from '../../cluster/ports/allocate.ts';
import { canBind, findPortOwner } from '../../cluster/ports/port-check.ts';
import { initCluster } from '../../cluster/operations/init.ts';
import { loadClusterConfig } from '../../cluster/config/cluster-file.ts';
import { portUses } from '../../cluster/config/validate.ts';
import { RepoLayout } from '../../cluster/repo/layout.ts';
import net from 'node:net';

t.test('allocates distinct free ports in range and refuses reserved ones', async (t) => {
  const alloc = new PortAllocator({ from: 20000, to: 20063 }, new Map([[20010, '/other/cluster']]));
  const ports = new Set<number>();
  for (let i = 0; i < 40; i++) ports.add(await alloc.next());
  t.equal(ports.size, 40, 'distinct');
  t.ok([...ports].every((p) => p >= 20000 && p <= 20063 && p !== 20010), 'in range, never the reserved one');
  t.throws(() => alloc.claim(20010, 'pageservers[0].listen_pg_addr'), { code: 'port-in-use', message: 'port 20010 (pageservers[0].listen_pg_addr) is already assigned to the cluster in /other/cluster' });
});

t.test('NEON_LOCAL_PORT_RANGE is validated', async (t) => {
  const saved = process.env['NEON_LOCAL_PORT_RANGE'];
  t.teardown(() => (saved === undefined ? delete process.env['NEON_LOCAL_PORT_RANGE'] : (process.env['NEON_LOCAL_PORT_RANGE'] = saved)));
  process.env['NEON_LOCAL_PORT_RANGE'] = '30000-30100';
  t.same(portRange(), { from: 30000, to: 30100 });
  process.env['NEON_LOCAL_PORT_RANGE'] = '80-90';
  t.throws(() => portRange(), { code: 'usage', message: /NEON_LOCAL_PORT_RANGE="80-90" is not a usable range/ });
});

t.test('a second cluster never gets the first one\'s ports, even while both are stopped', async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-ports-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  const saved = process.env['NEON_LOCAL_PORT_RANGE'];
  t.teardown(() => (saved === undefined ? delete process.env['NEON_LOCAL_PORT_RANGE'] : (process.env['NEON_LOCAL_PORT_RANGE'] = saved)));
  // A small range makes a collision likely if the registry were ignored.
  process.env['NEON_LOCAL_PORT_RANGE'] = '24100-24140';
  const a = await initCluster({ repoDir: path.join(base, 'a'), numSafekeepers: 1, databaseUrl: 'postgresql://unused' });
  const b = await initCluster({ repoDir: path.join(base, 'b'), numSafekeepers: 1, databaseUrl: 'postgresql://unused' });
  const portsOf = async (root: string) => portUses(await loadClusterConfig(new RepoLayout(root))).map((u) => u.port);
  const pa = await portsOf(a.layout.root);
  const pb = await portsOf(b.layout.root);
  t.same(pa.filter((p) => pb.includes(p)), [], 'no shared port');
  const claimFor = (root: string, port: number) => withPortAllocator(root, async (alloc) => alloc.claim(port, 'test'));
  await t.rejects(claimFor(path.join(base, 'c'), pa[0]!), { code: 'port-in-use' }, 'a port of cluster a cannot be claimed by another');
  // Once a cluster is removed its ports are free for others again.
  fs.rmSync(a.layout.root, { recursive: true, force: true });
  await t.resolves(claimFor(path.join(base, 'c'), pa[0]!), 'a removed cluster\'s ports can be used again');
});

t.test('port checks find the owner', async (t) => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  t.equal(await canBind('127.0.0.1', port), false);
  t.match(findPortOwner(port), { pid: process.pid, command: /node/ });
  server.close();
  await new Promise((r) => setTimeout(r, 20));
  t.equal(await canBind('127.0.0.1', port), true);
});
