// The listening side: one PgConnection per accepted socket, tracked so close() can end them all.

import net from 'node:net';
import { PgConnection } from './connection.ts';
import type { PgServer, PgServerOptions } from './types.ts';

export async function startPgServer(options: PgServerOptions): Promise<PgServer> {
  const connections = new Set<PgConnection>();
  // BackendKeyData wants a process id; ours are per-connection numbers (cancel is not supported).
  let nextProcessId = 1;
  const server = net.createServer((socket) => {
    const connection = new PgConnection(socket, {
      serverVersion: options.serverVersion,
      createSession: options.createSession,
      splitStatements: options.splitStatements,
      processId: nextProcessId++,
    });
    connections.add(connection);
    void connection.closed.then(() => connections.delete(connection));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    port,
    connectionCount: () => connections.size,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        const open = [...connections];
        for (const connection of open) connection.terminate();
        await Promise.all([stopped, ...open.map((connection) => connection.closed)]);
        connections.clear();
      })();
      return closing;
    },
  };
}
