// A Postgres-protocol port that answers every connection with a clear error. Components bind their
// pg ports from the start (as the real ones do) so the addresses are reserved and a client gets a
// readable message instead of "connection refused" for a service the emulator does not offer yet.

import net from 'node:net';

const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;

function errorResponse(sqlstate: string, message: string): Buffer {
  const fields = Buffer.concat([
    Buffer.from(`SFATAL\0VFATAL\0C${sqlstate}\0M${message}\0`, 'utf8'),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

export function listenPgRefuser(host: string, port: number, message: string): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 8) {
        const length = buffered.readInt32BE(0);
        if (buffered.length < length) return;
        const code = buffered.readInt32BE(4);
        buffered = buffered.subarray(length);
        if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
          socket.write('N'); // no encryption; the client sends its startup message next
          continue;
        }
        socket.end(errorResponse('0A000', message));
        return;
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 4096 }, () => resolve(server));
  });
}
