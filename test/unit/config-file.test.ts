// cluster.yaml: rendering round-trips, and every problem is reported with file, line and key.

import t from 'tap';
import { clusterFileDecoder, fromFile, toFile } from '../../cluster/config/schema.ts';
import { renderClusterConfig } from '../../cluster/config/cluster-file.ts';
import type { ClusterConfig } from '../../cluster/config/types.ts';
import { validateCluster } from '../../cluster/config/validate.ts';
import { decodeYaml } from '../../cluster/config/yaml-file.ts';

const config: ClusterConfig = {
  version: 1,
  defaultTenantId: null,
  linkProxies: false,
  bugSwitches: [],
  remoteStorage: { bucket_name: 'neon', bucket_region: 'eu-north-1', prefix_in_bucket: 'pageserver', endpoint: 'http://127.0.0.1:9000' },
  broker: { backend: 'emulated', listen: { host: '127.0.0.1', port: 20001 } },
  storageController: { backend: 'emulated', listen: { host: '127.0.0.1', port: 20002 }, databaseUrl: null, heartbeatIntervalMs: 1000, maxOfflineMs: 10_000, maxWarmingUpMs: 30_000 },
  pageservers: [{ id: 1, backend: 'emulated', listenPg: { host: '127.0.0.1', port: 20003 }, listenHttp: { host: '127.0.0.1', port: 20004 }, availabilityZone: 'local', tenantConfig: { gc_period: '0s', pitr_interval: '1h' } }],
  safekeepers: [{ id: 1, backend: 'emulated', listenAddr: '127.0.0.1', pgPort: 20005, httpPort: 20006 }],
  branchMappings: { main: [['11111111111111111111111111111111', '22222222222222222222222222222222']] },
  endpoints: [{
    id: 'ep-main', tenantId: '11111111111111111111111111111111', timelineId: '22222222222222222222222222222222', branchName: 'main',
    mode: { kind: 'static', lsn: '0/16B3748' }, pgPort: 20007, httpPort: 20008, pageserverId: null, safekeepers: [1], safekeepersGeneration: null, running: true,
  }],
};

const load = (text: string) => fromFile(decodeYaml(text, clusterFileDecoder, 'cluster.yaml', 'fix it'));

t.test('render and load round-trip', async (t) => {
  const text = renderClusterConfig(config);
  t.match(text, /^# neon-local cluster configuration/);
  t.same(load(text), config);
  t.same(toFile(load(text)), toFile(config));
});

t.test('errors name the line and the key', async (t) => {
  const text = renderClusterConfig(config);
  const lines = text.split('\n');
  const lineOf = (needle: string, from = text) => from.split('\n').findIndex((l) => l.includes(needle)) + 1;

  const badBackend = text.replace(/(pageservers:\n  - id: 1\n    backend: )emulated/, '$1docker');
  t.throws(() => load(badBackend), { code: 'config', message: `cluster.yaml:${lineOf('backend: docker', badBackend)}: pageservers[0].backend: unknown variant \`docker\`, expected one of \`emulated\`` });

  const noId = text.replace('  - id: 1\n    backend: emulated\n    listen_addr', '  - backend: emulated\n    listen_addr');
  t.throws(() => load(noId), { message: /^cluster\.yaml:\d+: safekeepers\[0\]: missing field `id`$/ });

  const badDuration = text.replace('heartbeat_interval: 1s', 'heartbeat_interval: often');
  t.throws(() => load(badDuration), { message: `cluster.yaml:${lineOf('often', badDuration)}: storage_controller.heartbeat_interval: invalid value: string "often", expected a duration such as 10s or 500ms ("often" is not a duration; use a number with a unit, e.g. 10s, 500ms, 1m)` });

  t.throws(() => load(text.replace('version: 1', 'version: 2')), { message: `cluster.yaml:${lineOf('version')}: version: invalid value: integer \`2\`, expected 1` });
  t.throws(() => load(text + 'extra: true\n'), { message: `cluster.yaml:${lines.length}: extra: unknown field \`extra\`, expected one of \`version\`, \`default_tenant_id\`, \`link_proxies\`, \`bug_switches\`, \`remote_storage\`, \`storage_broker\`, \`storage_controller\`, \`pageservers\`, \`safekeepers\`, \`branch_name_mappings\`, \`endpoints\`` });
  const badMode = text.replace('mode: static:0/16B3748', 'mode: replica');
  t.throws(() => load(badMode), { message: `cluster.yaml:${lineOf('mode: replica', badMode)}: endpoints[0].mode: invalid value: string "replica", expected "primary" or "static:<LSN>"` });
  const noBucket = text.replace('  bucket_name: neon\n', '');
  t.throws(() => load(noBucket), { message: /^cluster\.yaml:\d+: remote_storage: bucket_name is required \(an S3 table: bucket_name, bucket_region/ }, 'an S3 remote_storage without bucket_name');
  const typo = text.replace('bucket_region: eu-north-1', 'bucket_regoin: eu-north-1');
  t.throws(() => load(typo), { message: /remote_storage: bucket_regoin is not an S3 setting/ }, 'a misspelt S3 key is named');
  const notTable = text.replace(/remote_storage:[\s\S]*?\nstorage_broker/, 'remote_storage: s3\nstorage_broker');
  t.throws(() => load(notTable), { message: `cluster.yaml:${lineOf('remote_storage: s3', notTable)}: remote_storage: must be a table, got "s3" (an S3 table: bucket_name, bucket_region, prefix_in_bucket, endpoint, ...)` }, 'a value that is not a table');
  t.equal(load(text.replace(/remote_storage:[\s\S]*?\nstorage_broker/, 'remote_storage: null\nstorage_broker')).remoteStorage, null, 'null: local_fs_remote_storage');
  t.throws(() => load('pageservers: [\n'), { message: /^cluster\.yaml:\d+: not valid YAML: / });
  t.throws(() => load('a: 1\na: 2\n'), { message: /^cluster\.yaml:2: not valid YAML: Map keys must be unique/ });
});

t.test('cross-field checks: unique ids and ports', async (t) => {
  t.throws(() => validateCluster({ ...config, pageservers: [config.pageservers[0]!, { ...config.pageservers[0]!, listenPg: { host: '127.0.0.1', port: 1 }, listenHttp: { host: '127.0.0.1', port: 2 } }] }, 'cluster.yaml'), {
    message: 'cluster.yaml: pageservers: id 1 appears twice; ids must be unique',
  });
  t.throws(() => validateCluster({ ...config, safekeepers: [{ ...config.safekeepers[0]!, httpPort: 20004 }] }, 'cluster.yaml'), {
    message: 'cluster.yaml: port 20004 is used by both ps1 (http) and sk1 (http)',
  });
  t.doesNotThrow(() => validateCluster(config, 'cluster.yaml'));
});
