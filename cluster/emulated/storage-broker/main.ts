// Emulated storage broker: `storage_broker --listen-addr=HOST:PORT`. Serves the HTTP/1 side of the
// real broker's port (GET /status, GET /metrics) and relays safekeeper timeline info between
// safekeepers and pageservers (POST /v1/publish, GET /v1/subscribe) — neon-local's data-path
// protocol in place of the real broker's gRPC.

import { isHexId } from '../../api/ids.ts';
import type { PublishRequest } from '../../api/storage-broker.ts';
import { parseComponentArgs, parseListenAddr } from '../common/args.ts';
import { failpointRoutes, handlerFailpoint } from '../common/failpoint-http.ts';
import { initFailpoints } from '../common/failpoints.ts';
import { ApiServer, badRequest, Reply, Streamed } from '../common/http-server.ts';
import { fatal, installLifecycle, onShutdown } from '../common/lifecycle.ts';
import { log } from '../common/logger.ts';
import { Relay } from './relay.ts';

const args = parseComponentArgs('storage_broker', {
  'listen-addr': { type: 'string' },
  'listen-https-addr': { type: 'string' },
  'timeline-chan-size': { type: 'string' },
  'all-keys-chan-size': { type: 'string' },
  'http2-keepalive-interval': { type: 'string' },
  'log-format': { type: 'string' },
});
installLifecycle('storage_broker');
initFailpoints();

const listen = parseListenAddr('listen-addr', args['listen-addr'], '127.0.0.1:50051');
const startedAt = Date.now();
const relay = new Relay();
const server = new ApiServer();
server.get('/status', () => new Reply(200, '', 'text/plain'));
server.get('/metrics', () => new Reply(200, [
  '# TYPE storage_broker_uptime_seconds gauge',
  `storage_broker_uptime_seconds ${(Date.now() - startedAt) / 1000}`,
  '# TYPE storage_broker_published_total counter',
  `storage_broker_published_total ${relay.published}`,
  '# TYPE storage_broker_subscribers gauge',
  `storage_broker_subscribers ${relay.subscriberCount()}`,
].join('\n') + '\n', 'text/plain; version=0.0.4'));
failpointRoutes(server);
server.post('/v1/publish', async (ctx) => {
  const body = ctx.json() as PublishRequest;
  if (!body || !Array.isArray(body.infos)) throw badRequest('expected {"infos": [SafekeeperTimelineInfo, ...]}');
  await handlerFailpoint('broker-publish'); // a `return` drops this publish (500); the safekeeper publishes again
  relay.publish(body.infos);
  return null;
});
server.get('/v1/subscribe', (ctx) => {
  const tenant = ctx.query.get('tenant_id');
  const timeline = ctx.query.get('timeline_id');
  if ((tenant && !isHexId(tenant)) || (timeline && !isHexId(timeline))) throw badRequest('tenant_id and timeline_id must be 32 lowercase hex digits');
  return new Streamed((res) => relay.subscribe(res, tenant, timeline));
});
server.get('/v1/timelines', () => relay.snapshot());
try {
  await server.listen(listen.host, listen.port);
} catch (err) {
  fatal(`cannot listen on ${listen.host}:${listen.port}: ${(err as Error).message}`);
}
onShutdown(() => {
  relay.closeAll();
  return server.close();
});
log.info(`storage broker listening on http://${listen.host}:${listen.port}`);
