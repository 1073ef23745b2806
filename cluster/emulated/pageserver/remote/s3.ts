// The S3 backend of the pageserver's remote storage (pageserver.toml `remote_storage = { bucket_name
// = ..., bucket_region = ..., ... }`, neon-reference §2.9), so an emulated pageserver can share a
// bucket with real ones, or run against moto/MinIO. Keys are relative to `prefix_in_bucket`, which
// lets several pageservers (or test runs) use one bucket without seeing each other's objects.

import type { S3ClientConfig } from '@aws-sdk/client-s3';

/** The SDK module, handed in rather than imported: the pageserver loads it only when S3 is configured. */
export type S3Sdk = typeof import('@aws-sdk/client-s3');

/** Loads the AWS SDK (about 100 ms, so only when an S3 storage is actually made). */
export function loadS3Sdk(): Promise<S3Sdk> {
  return import('@aws-sdk/client-s3');
}
import type { S3Settings } from '../../../api/s3-settings.ts';
import { RemoteStorageError, type RemoteObject, type RemoteStorage } from './remote-storage.ts';

/** Client knobs that are not part of Neon's config; tests shorten them to fail fast. */
export interface S3ClientTuning {
  /** Tries per request, including the first (SDK default 3). */
  maxAttempts?: number;
  connectTimeoutMs?: number;
  /** Gives up on a request whose connection stays silent this long (default 120s). */
  idleTimeoutMs?: number;
}

const DEFAULT_CONCURRENCY_LIMIT = 100;
// Neon's default remote_storage `timeout`; the SDK's own default is to wait forever on a hung server.
const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
// S3 refuses a DeleteObjects request naming more than 1000 keys.
const DELETE_BATCH_SIZE = 1000;
export class S3RemoteStorage implements RemoteStorage {
  readonly description: string;
  private readonly client: InstanceType<S3Sdk['S3Client']>;
  private readonly bucket: string;
  /** prefix_in_bucket without surrounding slashes, plus one trailing '/'; '' when there is none. */
  private readonly keyPrefix: string;
  private readonly maxKeysPerList: number | undefined;
  private readonly limiter: ConcurrencyLimiter;

  constructor(
    private readonly sdk: S3Sdk,
    settings: S3Settings,
    tuning: S3ClientTuning = {},
  ) {
    this.bucket = settings.bucket_name;
    const trimmedPrefix = (settings.prefix_in_bucket ?? '').replace(/^\/+|\/+$/g, '');
    this.keyPrefix = trimmedPrefix === '' ? '' : `${trimmedPrefix}/`;
    this.maxKeysPerList = settings.max_keys_per_list_response;
    this.limiter = new ConcurrencyLimiter(settings.concurrency_limit ?? DEFAULT_CONCURRENCY_LIMIT);
    const where = settings.endpoint !== undefined ? `at ${settings.endpoint}` : `in ${settings.bucket_region}`;
    this.description = `S3 ${[this.bucket, trimmedPrefix].filter(Boolean).join('/')} ${where}`;

    // No explicit credentials: the SDK's default chain reads AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
    // first, then profiles and instance metadata, the same order the real pageserver uses.
    const config: S3ClientConfig = {
      region: settings.bucket_region,
      maxAttempts: tuning.maxAttempts,
      // socketTimeout, not requestTimeout: the SDK only logs a warning when requestTimeout passes.
      requestHandler: { connectionTimeout: tuning.connectTimeoutMs, socketTimeout: tuning.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS },
    };
    if (settings.endpoint !== undefined) {
      config.endpoint = settings.endpoint;
      // Virtual-host addressing (bucket.host) needs DNS that moto and MinIO on localhost lack.
      config.forcePathStyle = true;
      // Since 3.729 the SDK adds CRC checksums to every upload by default; several S3-compatible
      // servers reject those, so only send them where S3 demands one (DeleteObjects).
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    this.client = new sdk.S3Client(config);
  }

  /** Closes pooled connections; the storage is unusable afterwards. */
  close(): void {
    this.client.destroy();
  }

  async put(key: string, data: Buffer): Promise<void> {
    const objectKey = this.objectKey(key, 'put');
    await this.request('put', key, () =>
      this.client.send(new this.sdk.PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: data, ContentLength: data.length })),
    );
  }

  async get(key: string): Promise<Buffer | null> {
    const objectKey = this.objectKey(key, 'get');
    return this.request('get', key, async () => {
      try {
        const response = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
        if (!response.Body) throw new Error('response has no body');
        const bytes = await response.Body.transformToByteArray();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (err) {
        // Only a missing key means "no object"; a missing bucket (also a 404) is a real failure.
        if ((err as Error).name === 'NoSuchKey') return null;
        throw err;
      }
    });
  }

  async head(key: string): Promise<{ size: number; lastModified: Date } | null> {
    const objectKey = this.objectKey(key, 'head');
    return this.request('head', key, async () => {
      try {
        const response = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
        return { size: response.ContentLength ?? 0, lastModified: response.LastModified ?? new Date() };
      } catch (err) {
        // A HEAD answer has no body, so a missing key and a missing bucket are both a bare 404;
        // the get() that follows tells them apart.
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
        throw err;
      }
    });
  }

  async list(prefix: string): Promise<RemoteObject[]> {
    const objects: RemoteObject[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.request('list', prefix, () =>
        this.client.send(
          new this.sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.keyPrefix + prefix,
            ContinuationToken: continuationToken,
            MaxKeys: this.maxKeysPerList,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        objects.push({ key: object.Key.slice(this.keyPrefix.length), size: object.Size ?? 0 });
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    // S3 orders by UTF-8 bytes; re-sort so both backends agree on order for non-ASCII keys too.
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: string[]): Promise<void> {
    const objectKeys = keys.map((key) => this.objectKey(key, 'delete'));
    for (let start = 0; start < objectKeys.length; start += DELETE_BATCH_SIZE) {
      const batch = objectKeys.slice(start, start + DELETE_BATCH_SIZE);
      const firstKey = keys[start] ?? '';
      const response = await this.request('delete', firstKey, () =>
        this.client.send(
          new this.sdk.DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      // DeleteObjects answers 200 even when some keys failed; the failures are listed in the body.
      const failed = response.Errors?.[0];
      if (failed) {
        const failedKey = (failed.Key ?? '').slice(this.keyPrefix.length);
        const more = response.Errors!.length > 1 ? ` (and ${response.Errors!.length - 1} more keys)` : '';
        throw new RemoteStorageError('delete', failedKey, `${failed.Code}: ${failed.Message}${more}`);
      }
    }
  }

  /** The bucket key for a storage key, refusing keys LocalFs would refuse so both backends agree. */
  private objectKey(key: string, operation: RemoteStorageError['operation']): string {
    if (key === '' || key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) {
      throw new RemoteStorageError(operation, key, 'not a valid object key (relative, no . or .. segments)');
    }
    return this.keyPrefix + key;
  }

  private async request<T>(operation: RemoteStorageError['operation'], key: string, send: () => Promise<T>): Promise<T> {
    try {
      return await this.limiter.run(send);
    } catch (err) {
      throw new RemoteStorageError(operation, key, describeS3Error(err), { cause: err });
    }
  }
}

/** "NoSuchBucket (HTTP 404): The specified bucket does not exist", or the network error. */
function describeS3Error(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // Node reports a refused connection to a dual-stack name as an AggregateError with no message.
  const message =
    err.message || (err instanceof AggregateError ? err.errors.map((e: Error) => e.message).join('; ') : '') || 'failed';
  if (status !== undefined) return `${err.name} (HTTP ${status}): ${message}`;
  const code = (err as NodeJS.ErrnoException).code;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Caps requests in flight, as Neon's concurrency_limit does, so a burst cannot exhaust sockets. */
class ConcurrencyLimiter {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inFlight++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so inFlight never dips and lets a newcomer jump in.
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    }
  }
}
