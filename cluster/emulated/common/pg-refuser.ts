// A Postgres-protocol port that answers every connection with a clear error. Components bind their
// pg ports from the start (as the real ones do) so the addresses are reserved and a client gets a
// readable message instead of "connection refused" for a service the emulator does not offer yet.

import net from 'node:net';

const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;

/** A Postgres ErrorResponse message (severity FATAL). */
export function postgresErrorResponse(sqlstate: string, message: string): Buffer {
  const fields = Buffer.concat([
    Buffer.from(`SFATAL\0VFATAL\0C${sqlstate}\0M${message}\0`, 'utf8'),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

/**
 * Answers a Postgres client on `socket` with an error: declines SSL/GSS encryption, waits for the
 * startup message, sends `message` (SQLSTATE 0A000) and closes. `first` is data already read.
 */
export function refusePostgres(socket: net.Socket, message: string, first: Buffer = Buffer.alloc(0)): void {
  let buffered: Buffer = first;
  const consume = () => {
    while (buffered.length >= 8) {
      const length = buffered.readInt32BE(0);
      if (buffered.length < length) return;
      const code = buffered.readInt32BE(4);
      buffered = buffered.subarray(length);
      if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
        socket.write('N'); // no encryption; the client sends its startup message next
        continue;
      }
      socket.end(postgresErrorResponse('0A000', message));
      return;
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    consume();
  });
  consume();
}

export function listenPgRefuser(host: string, port: number, message: string): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    refusePostgres(socket, message);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 4096 }, () => resolve(server));
  });
}
