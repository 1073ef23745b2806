// Errors of the timeline storage. `invalid-argument`: the caller broke the API's contract (an LSN out
// of order, initialize on a used store). `corrupt`: a layer file or store.json fails its checks.
// `closed`: the store (or a layer a leftover reader holds) was closed.

export type StorageErrorCode = 'invalid-argument' | 'corrupt' | 'closed';

export class StorageError extends Error {
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StorageError';
    this.code = code;
  }
}
