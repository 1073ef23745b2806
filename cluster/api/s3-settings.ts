// The S3 variant of pageserver.toml's `remote_storage` table (neon-reference §2.9): its fields and
// their validation. A config format, shared by cluster.yaml (which carries the table) and the
// pageserver (which builds its S3 storage from it).

/** The S3 variant of pageserver.toml's `remote_storage` table. */
export interface S3Settings {
  bucket_name: string;
  bucket_region: string;
  prefix_in_bucket?: string;
  /** An S3-compatible server instead of AWS, e.g. "http://127.0.0.1:5000"; implies path-style URLs. */
  endpoint?: string;
  /** Requests in flight at once; Neon's default for S3 is 100. */
  concurrency_limit?: number;
  /** Page size for ListObjectsV2; S3's own maximum (and default) is 1000. */
  max_keys_per_list_response?: number;
}

// Fields of the remote_storage table that are valid but handled elsewhere (the common timeouts) or
// not emulated (storage class); parseS3Settings lets them through instead of calling them typos.
const ACCEPTED_BUT_IGNORED = ['timeout', 'small_timeout', 'upload_storage_class'];
const S3_FIELDS = ['bucket_name', 'bucket_region', 'prefix_in_bucket', 'endpoint', 'concurrency_limit', 'max_keys_per_list_response'];

/** Validates pageserver.toml's S3 `remote_storage` table; errors name the offending field. */
export function parseS3Settings(value: unknown): S3Settings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`remote_storage must be a table, got ${describeValue(value)}`);
  }
  const table = value as Record<string, unknown>;
  for (const field of Object.keys(table)) {
    if (!S3_FIELDS.includes(field) && !ACCEPTED_BUT_IGNORED.includes(field)) {
      throw new Error(`remote_storage.${field} is not an S3 setting (known: ${S3_FIELDS.join(', ')})`);
    }
  }
  const settings: S3Settings = {
    bucket_name: requiredString(table, 'bucket_name'),
    bucket_region: requiredString(table, 'bucket_region'),
  };
  if (table.prefix_in_bucket !== undefined) {
    if (typeof table.prefix_in_bucket !== 'string') {
      throw new Error(`remote_storage.prefix_in_bucket must be a string, got ${describeValue(table.prefix_in_bucket)}`);
    }
    settings.prefix_in_bucket = table.prefix_in_bucket;
  }
  if (table.endpoint !== undefined) {
    const endpoint = table.endpoint;
    if (typeof endpoint !== 'string' || !/^https?:\/\/[^/]/.test(endpoint) || !URL.canParse(endpoint)) {
      throw new Error(`remote_storage.endpoint must be an http:// or https:// URL, got ${describeValue(endpoint)}`);
    }
    settings.endpoint = endpoint;
  }
  for (const field of ['concurrency_limit', 'max_keys_per_list_response'] as const) {
    const count = table[field];
    if (count === undefined) continue;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) {
      throw new Error(`remote_storage.${field} must be a positive integer, got ${describeValue(count)}`);
    }
    settings[field] = count;
  }
  return settings;
}

function requiredString(table: Record<string, unknown>, field: string): string {
  const value = table[field];
  if (value === undefined) throw new Error(`remote_storage.${field} is required`);
  if (typeof value !== 'string' || value === '') {
    throw new Error(`remote_storage.${field} must be a non-empty string, got ${describeValue(value)}`);
  }
  return value;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a table' : `${typeof value} ${String(value)}`;
}
