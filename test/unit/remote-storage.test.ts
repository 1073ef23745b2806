// One set of remote-storage behaviour checks run against both backends — LocalFs in a temp dir and
// S3 against a moto_server started here — so the pageserver can treat them as interchangeable;
// then what only S3 has (prefix_in_bucket, paging, batching, network failures) and its config.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as s3Sdk from '@aws-sdk/client-s3';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import getPort from 'get-port';
import { parse as parseToml } from 'smol-toml';
import t, { type Test } from 'tap';
import { LocalFsRemoteStorage } from '../../cluster/emulated/pageserver/remote/local-fs.ts';
import { RemoteStorageError, type RemoteStorage } from '../../cluster/emulated/pageserver/remote/remote-storage.ts';
import { parseS3Settings, type S3Settings } from '../../cluster/api/s3-settings.ts';
import { S3RemoteStorage } from '../../cluster/emulated/pageserver/remote/s3.ts';
import { startMoto } from '../helpers/moto.ts';

const REGION = 'us-east-1';
const BUCKET = 'neon-local-test';

const moto = await startMoto();
t.teardown(() => moto.stop());
const rawClient = new S3Client({ region: REGION, endpoint: moto.endpoint, forcePathStyle: true });
t.teardown(() => rawClient.destroy());
await rawClient.send(new CreateBucketCommand({ Bucket: BUCKET }));

/** Every key in a bucket as stored, to see where a backend really put things. */
async function rawKeys(bucket: string): Promise<string[]> {
  const page = await rawClient.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

let s3StorageCount = 0;
function s3Storage(t: Test, settings: Partial<S3Settings> = {}): S3RemoteStorage {
  const storage = new S3RemoteStorage(s3Sdk, { bucket_name: BUCKET, bucket_region: REGION, endpoint: moto.endpoint, ...settings });
  t.teardown(() => storage.close());
  return storage;
}

// Each backend's fresh() gives a storage no other test sees into.
const backends: { name: string; fresh(t: Test): RemoteStorage }[] = [
  {
    name: 'LocalFs',
    fresh(t) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'remote-storage-test-'));
      t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
      return new LocalFsRemoteStorage(path.join(root, 'remote'));
    },
  },
  {
    name: 'S3',
    // A page size of 2 makes every list of 3+ objects depend on following continuation tokens.
    fresh: (t) => s3Storage(t, { prefix_in_bucket: `shared-${++s3StorageCount}`, max_keys_per_list_response: 2 }),
  },
];

async function expectStorageError(t: Test, promise: Promise<unknown>, operation: string, key: string): Promise<RemoteStorageError | undefined> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof RemoteStorageError)) {
    t.fail(`${operation} ${JSON.stringify(key)} should throw RemoteStorageError, got ${err === undefined ? 'success' : String(err)}`);
    return undefined;
  }
  t.equal(err.operation, operation, `${operation} error names its operation`);
  t.equal(err.key, key, `${operation} error names its key`);
  return err;
}

for (const backend of backends) {
  t.test(`${backend.name}: behaviour shared by both backends`, async (t) => {
    t.test('put/get round trip of binary data, including 1 MiB and empty objects', async (t) => {
      const storage = backend.fresh(t);
      const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const big = randomBytes(1024 * 1024);
      await storage.put('tenants/t1/every-byte', everyByte);
      await storage.put('tenants/t1/big', big);
      await storage.put('empty', Buffer.alloc(0));
      t.same(await storage.get('tenants/t1/every-byte'), everyByte);
      const gotBig = await storage.get('tenants/t1/big');
      t.ok(gotBig && big.equals(gotBig), '1 MiB object comes back byte for byte');
      t.same(await storage.get('empty'), Buffer.alloc(0));
    });

    t.test('get of a missing key is null', async (t) => {
      const storage = backend.fresh(t);
      t.equal(await storage.get('no-such-key'), null);
      await storage.put('tenants/t1/present', Buffer.from('x'));
      t.equal(await storage.get('tenants/t1/absent'), null, 'missing beside a present object');
      t.equal(await storage.get('tenants/t9/deep/absent'), null, 'missing under a missing "directory"');
    });

    t.test('head: size and last-modified time, null for a missing key (a heatmap\'s mtime)', async (t) => {
      const storage = backend.fresh(t);
      const before = Date.now() - 2000; // S3 keeps seconds; clocks are the same machine's
      await storage.put('tenants/t1/heatmap-v1.json', Buffer.from('{"a":1}'));
      const head = await storage.head!('tenants/t1/heatmap-v1.json');
      t.equal(head?.size, 7);
      t.ok(head && head.lastModified.getTime() >= before && head.lastModified.getTime() <= Date.now() + 2000, `last modified just now (${head?.lastModified.toISOString()})`);
      t.equal(await storage.head!('tenants/t1/absent'), null);
    });

    t.test('put replaces an existing object', async (t) => {
      const storage = backend.fresh(t);
      await storage.put('k', Buffer.from('first'));
      await storage.put('k', Buffer.from('second, longer'));
      t.equal((await storage.get('k'))?.toString(), 'second, longer');
      t.same(await storage.list(''), [{ key: 'k', size: 14 }]);
    });

    t.test('list by prefix: nested, partial names, sorted, with sizes, across pages', async (t) => {
      const storage = backend.fresh(t);
      const keys = [
        'tenants/t2/timelines/x/layer-2',
        'tenants/t1/heatmap-v1.json',
        'tenants/t10/timelines/y/index_part.json-00000001',
        'tenants/t1/timelines/a/layer-1',
        'tenants/t1/timelines/a/index_part.json-00000002',
        'other/zzz',
        // U+FF5E sorts after the emoji in JS (UTF-16) order but before it in UTF-8 byte order.
        'uni/\u{FF5E}',
        'uni/\u{1F600}',
      ];
      for (const [i, key] of keys.entries()) await storage.put(key, Buffer.alloc(10 + i));
      const sizeOf = (key: string) => 10 + keys.indexOf(key);
      const expected = (...wanted: string[]) => wanted.sort().map((key) => ({ key, size: sizeOf(key) }));

      t.same(await storage.list('tenants/'), expected(...keys.filter((k) => k.startsWith('tenants/'))), 'five objects, three pages on S3');
      t.same(await storage.list('tenants/t1'), expected(...keys.filter((k) => k.startsWith('tenants/t1'))), 'partial name t1 also matches t10');
      t.same(await storage.list('tenants/t1/'), expected(...keys.filter((k) => k.startsWith('tenants/t1/'))));
      t.same(await storage.list('tenants/t1/timelines/a/index'), expected('tenants/t1/timelines/a/index_part.json-00000002'));
      t.same(await storage.list(''), expected(...keys), 'empty prefix lists everything');
      t.same(await storage.list('tenants/t3/'), [], 'nothing under a missing prefix');
      t.same((await storage.list('uni/')).map((o) => o.key), ['uni/\u{1F600}', 'uni/\u{FF5E}'], 'both backends sort in JS string order');
    });

    t.test('delete removes existing keys and ignores missing ones', async (t) => {
      const storage = backend.fresh(t);
      for (const key of ['a', 'b', 'dir/c']) await storage.put(key, Buffer.from(key));
      await storage.delete(['a', 'missing', 'dir/c', 'deep/missing/key']);
      t.same(await storage.list(''), [{ key: 'b', size: 1 }]);
      t.equal(await storage.get('a'), null);
      await storage.delete([]);
      await storage.delete(['a']);
      t.same(await storage.list(''), [{ key: 'b', size: 1 }], 'deleting again and deleting nothing are fine');
    });

    t.test('keys that could escape the storage are rejected', async (t) => {
      const storage = backend.fresh(t);
      for (const key of ['../x', '/abs', '', 'a/../../b', './a']) {
        await expectStorageError(t, storage.put(key, Buffer.from('x')), 'put', key);
        await expectStorageError(t, storage.get(key), 'get', key);
        await expectStorageError(t, storage.delete(['fine', key]), 'delete', key);
      }
      t.same(await storage.list(''), [], 'nothing was written');
    });
  });
}

t.test('S3: keys live under prefix_in_bucket and storages with different prefixes are isolated', async (t) => {
  const first = s3Storage(t, { prefix_in_bucket: 'iso' });
  const second = s3Storage(t, { prefix_in_bucket: '/iso-2/nested/' });
  await first.put('tenants/x', Buffer.from('first'));
  await second.put('tenants/x', Buffer.from('second'));
  await second.put('tenants/y', Buffer.from('only second'));

  t.same(
    (await rawKeys(BUCKET)).filter((k) => k.startsWith('iso')),
    ['iso-2/nested/tenants/x', 'iso-2/nested/tenants/y', 'iso/tenants/x'],
    'joined with single slashes, no leading slash',
  );
  t.equal((await first.get('tenants/x'))?.toString(), 'first');
  t.equal((await second.get('tenants/x'))?.toString(), 'second');
  t.equal(await first.get('tenants/y'), null, "one storage cannot read the other's objects");
  t.same(await first.list(''), [{ key: 'tenants/x', size: 5 }], '"iso" does not list "iso-2/..."');
  t.same((await second.list('tenants/')).map((o) => o.key), ['tenants/x', 'tenants/y'], 'list returns keys relative to the prefix');
  await first.delete(['tenants/x', 'tenants/y']);
  t.equal((await second.get('tenants/y'))?.toString(), 'only second', "deleting in one storage leaves the other's objects");
  t.equal(first.description, `S3 ${BUCKET}/iso at ${moto.endpoint}`);
});

t.test('S3: without prefix_in_bucket keys sit at the bucket root', async (t) => {
  const bucket = 'neon-local-test-bare';
  await rawClient.send(new CreateBucketCommand({ Bucket: bucket }));
  const storage = s3Storage(t, { bucket_name: bucket });
  await storage.put('tenants/t/heatmap-v1.json', Buffer.from('{}'));
  t.same(await rawKeys(bucket), ['tenants/t/heatmap-v1.json']);
  t.same(await storage.list('tenants/'), [{ key: 'tenants/t/heatmap-v1.json', size: 2 }]);
  t.equal(storage.description, `S3 ${bucket} at ${moto.endpoint}`);
});

/**
 * A proxy in front of moto for what moto will not do or show: it enforces real S3's 1000-key limit
 * on DeleteObjects, refuses to delete keys containing "locked" the way S3 does (HTTP 200 with
 * per-key errors in the body), and records the keys in each DeleteObjects request and the most
 * requests it held at once (counted until it starts answering).
 */
async function inspectingProxy(t: Test) {
  const stats = { deleteRequests: [] as number[], maxInFlight: 0 };
  let inFlight = 0;
  const upstream = new URL(moto.endpoint);
  const answer = (res: http.ServerResponse, status: number, xml: string) => {
    inFlight--;
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>${xml}`);
  };
  const server = http.createServer(async (req, res) => {
    stats.maxInFlight = Math.max(stats.maxInFlight, ++inFlight);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (req.method === 'POST' && /[?&]delete(=|&|$)/.test(req.url ?? '')) {
      const objectCount = body.toString().split('<Object>').length - 1;
      stats.deleteRequests.push(objectCount);
      if (objectCount > 1000) return answer(res, 400, '<Error><Code>MalformedXML</Code><Message>over 1000 keys</Message></Error>');
      const lockedKeys = [...body.toString().matchAll(/<Key>([^<]*locked[^<]*)<\/Key>/g)].map((m) => m[1]);
      if (lockedKeys.length > 0) {
        const errors = lockedKeys.map((key) => `<Error><Key>${key}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`);
        return answer(res, 200, `<DeleteResult>${errors.join('')}</DeleteResult>`);
      }
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        // Counted as done before the client can see the answer, so the client cannot send its
        // next request while this one still counts.
        inFlight--;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', (err) => res.destroy(err));
    forward.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return { endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, stats };
}

t.test('S3: delete of more than 1000 keys goes in batches', async (t) => {
  const proxy = await inspectingProxy(t);
  const storage = s3Storage(t, { prefix_in_bucket: 'batches', endpoint: proxy.endpoint });
  const keys = Array.from({ length: 2500 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
  for (const index of [0, 999, 1000, 2499]) await storage.put(keys[index]!, Buffer.from('x'));
  await storage.delete(keys);
  t.same(proxy.stats.deleteRequests, [1000, 1000, 500], 'three requests of at most 1000 keys');
  t.same(await storage.list(''), [], 'objects in the first, second and last batch are gone');
});

t.test('S3: keys DeleteObjects reports as failed make delete throw', async (t) => {
  const proxy = await inspectingProxy(t);
  const storage = s3Storage(t, { prefix_in_bucket: 'partial-failure', endpoint: proxy.endpoint });
  const deleting = storage.delete(['free', 'tenants/locked-1', 'tenants/locked-2']);
  const err = await expectStorageError(t, deleting, 'delete', 'tenants/locked-1');
  t.match(err?.message, /AccessDenied: Access Denied \(and 1 more keys\)/);
});

// A slot the limiter fails to hand back would hang here, so fail fast instead of at tap's timeout.
t.test('S3: concurrency_limit queues requests rather than failing or stalling them', { timeout: 20_000 }, async (t) => {
  const proxy = await inspectingProxy(t);
  const storage = s3Storage(t, { prefix_in_bucket: 'limited', concurrency_limit: 2, endpoint: proxy.endpoint });
  const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
  await Promise.all(keys.map((key) => storage.put(key, Buffer.from(key))));
  const values = await Promise.all(keys.map((key) => storage.get(key)));
  t.same(values.map(String), keys);
  t.equal(proxy.stats.maxInFlight, 2, 'requests overlapped, never more than two at once');
});

t.test('S3: a missing bucket is an error, not a missing object', async (t) => {
  const storage = s3Storage(t, { bucket_name: 'no-such-bucket' });
  const err = await expectStorageError(t, storage.get('k'), 'get', 'k');
  t.match(err?.message, /NoSuchBucket/, 'the message says what S3 said');
  await expectStorageError(t, storage.put('k', Buffer.from('x')), 'put', 'k');
  await expectStorageError(t, storage.list('tenants/'), 'list', 'tenants/');
});

t.test('S3: an unreachable endpoint fails each operation quickly with RemoteStorageError', async (t) => {
  // get-port hands out a port nobody listens on, so connections are refused.
  const closedPort = await getPort({ host: '127.0.0.1' });
  const storage = new S3RemoteStorage(
    s3Sdk,
    { bucket_name: BUCKET, bucket_region: REGION, endpoint: `http://127.0.0.1:${closedPort}` },
    { maxAttempts: 1, connectTimeoutMs: 1000, idleTimeoutMs: 2000 },
  );
  t.teardown(() => storage.close());
  const started = Date.now();
  for (const [operation, attempt] of [
    ['get', () => storage.get('tenants/t/k')],
    ['put', () => storage.put('tenants/t/k', Buffer.from('x'))],
    ['list', () => storage.list('tenants/t/k')],
    ['delete', () => storage.delete(['tenants/t/k'])],
  ] as const) {
    const err = await expectStorageError(t, attempt(), operation, 'tenants/t/k');
    t.match(err?.message, /ECONNREFUSED/, `the ${operation} message says why`);
  }
  t.ok(Date.now() - started < 10_000, `all four failed within 10s (took ${Date.now() - started}ms)`);
});

t.test('S3: a server that accepts but never answers times out instead of hanging', { timeout: 20_000 }, async (t) => {
  const silentSockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => silentSockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => (silentSockets.forEach((socket) => socket.destroy()), silent.close()));
  const endpoint = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
  const storage = new S3RemoteStorage(s3Sdk, { bucket_name: BUCKET, bucket_region: REGION, endpoint }, { maxAttempts: 1, idleTimeoutMs: 300 });
  t.teardown(() => storage.close());
  const err = await expectStorageError(t, storage.get('k'), 'get', 'k');
  t.match(err?.message, /timed out/);
});

t.test('parseS3Settings', async (t) => {
  const toml = parseToml(`remote_storage = { bucket_name = 'b', bucket_region = 'eu-west-1', prefix_in_bucket = 'ps/1',
    endpoint = 'http://127.0.0.1:9000', concurrency_limit = 5, max_keys_per_list_response = 50, timeout = '60s' }`);
  t.same(parseS3Settings(toml.remote_storage), {
    bucket_name: 'b', bucket_region: 'eu-west-1', prefix_in_bucket: 'ps/1',
    endpoint: 'http://127.0.0.1:9000', concurrency_limit: 5, max_keys_per_list_response: 50,
  }, 'a full pageserver.toml table; the common timeout is let through');
  t.same(parseS3Settings({ bucket_name: 'b', bucket_region: 'r' }), { bucket_name: 'b', bucket_region: 'r' }, 'minimal table');

  const base = { bucket_name: 'b', bucket_region: 'r' };
  const bad: [unknown, string | RegExp][] = [
    [{ bucket_region: 'r' }, 'remote_storage.bucket_name is required'],
    [{ bucket_name: 'b' }, 'remote_storage.bucket_region is required'],
    [{ ...base, bucket_name: 42 }, 'remote_storage.bucket_name must be a non-empty string, got number 42'],
    [{ ...base, bucket_region: '' }, 'remote_storage.bucket_region must be a non-empty string, got ""'],
    [{ ...base, prefix_in_bucket: ['a'] }, 'remote_storage.prefix_in_bucket must be a string, got an array'],
    [{ ...base, endpoint: '127.0.0.1:9000' }, 'remote_storage.endpoint must be an http:// or https:// URL, got "127.0.0.1:9000"'],
    [{ ...base, concurrency_limit: 0 }, 'remote_storage.concurrency_limit must be a positive integer, got number 0'],
    [{ ...base, concurrency_limit: '10' }, 'remote_storage.concurrency_limit must be a positive integer, got "10"'],
    [{ ...base, max_keys_per_list_response: 2.5 }, 'remote_storage.max_keys_per_list_response must be a positive integer, got number 2.5'],
    [{ ...base, bucket: 'b' }, /^remote_storage\.bucket is not an S3 setting/],
    [{ local_path: '/x' }, /^remote_storage\.local_path is not an S3 setting/],
    ['b', 'remote_storage must be a table, got "b"'],
    [null, 'remote_storage must be a table, got null'],
  ];
  for (const [value, message] of bad) t.throws(() => parseS3Settings(value), { message }, String(message));
});
