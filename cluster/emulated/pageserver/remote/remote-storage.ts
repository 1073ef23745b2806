// Remote storage as the pageserver sees it: a flat object store of keys ("tenants/<tsid>/...")
// with whole-object put, get, list by prefix and delete — what Neon's remote_storage crate offers
// the pageserver, and all that both backends (local filesystem, S3) need to provide.
//
// Errors: a missing object is `null` from get(); anything else (unreachable, refused) throws a
// RemoteStorageError, which callers retry with backoff.

export interface RemoteObject {
  key: string;
  size: number;
}

export interface RemoteStorage {
  /** What it is, for logs and status: "LocalFs /path" or "S3 bucket/prefix at endpoint". */
  readonly description: string;
  /** Stores `data` under `key`, replacing any object there; whole or not at all. */
  put(key: string, data: Buffer): Promise<void>;
  /** The object's bytes, or null if there is none. */
  get(key: string): Promise<Buffer | null>;
  /** Every object whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<RemoteObject[]>;
  /** Deletes the objects; keys that do not exist are fine. */
  delete(keys: string[]): Promise<void>;
  /** Size and last-modified time of an object, or null if there is none (for a heatmap's mtime). */
  head?(key: string): Promise<{ size: number; lastModified: Date } | null>;
}

export class RemoteStorageError extends Error {
  constructor(
    readonly operation: 'put' | 'get' | 'list' | 'delete' | 'head',
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`remote storage ${operation} ${key}: ${message}`, options);
    this.name = 'RemoteStorageError';
  }
}
