// Emulated storage broker: `storage_broker --listen-addr=HOST:PORT`. Serves the HTTP/1 side of the
// real broker's port (GET /status, GET /metrics).

import { parseComponentArgs, parseListenAddr } from '../common/args.ts';
import { ApiServer, Reply } from '../common/http-server.ts';
import { fatal, installLifecycle, onShutdown } from '../common/lifecycle.ts';
import { log } from '../common/logger.ts';

const args = parseComponentArgs('storage_broker', {
  'listen-addr': { type: 'string' },
  'listen-https-addr': { type: 'string' },
  'timeline-chan-size': { type: 'string' },
  'all-keys-chan-size': { type: 'string' },
  'http2-keepalive-interval': { type: 'string' },
  'log-format': { type: 'string' },
});
installLifecycle('storage_broker');

const listen = parseListenAddr('listen-addr', args['listen-addr'], '127.0.0.1:50051');
const startedAt = Date.now();
const server = new ApiServer();
server.get('/status', () => new Reply(200, '', 'text/plain'));
server.get('/metrics', () => new Reply(200, `# TYPE storage_broker_uptime_seconds gauge\nstorage_broker_uptime_seconds ${(Date.now() - startedAt) / 1000}\n`, 'text/plain; version=0.0.4'));
try {
  await server.listen(listen.host, listen.port);
} catch (err) {
  fatal(`cannot listen on ${listen.host}:${listen.port}: ${(err as Error).message}`);
}
onShutdown(() => server.close());
log.info(`storage broker listening on http://${listen.host}:${listen.port}`);
