// A TCP server that can be closed at once: net.Server.close() waits for every open connection to
// end, and a compute keeps its connections open; on shutdown we cut them.

import net from 'node:net';

export interface ClosableServer {
  server: net.Server;
  close(): Promise<void>;
}

export function listenTcp(host: string, port: number, onConnection: (socket: net.Socket) => void): Promise<ClosableServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve({
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}
