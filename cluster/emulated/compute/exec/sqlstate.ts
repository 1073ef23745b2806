// SQLSTATEs the executor raises, with PostgreSQL's codes.

export const ExecState = {
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  duplicateTable: '42P07',
  uniqueViolation: '23505',
  notNullViolation: '23502',
  invalidTextRepresentation: '22P02',
  datatypeMismatch: '42804',
  divisionByZero: '22012',
  numericOutOfRange: '22003',
  invalidParameterValue: '22023',
  featureNotSupported: '0A000',
  inFailedTransaction: '25P02',
  readOnlyTransaction: '25006',
  undefinedParameter: '42P02',
  undefinedObject: '42704',
  /** The commit's outcome is unknown: the walproposer lost its term before it was acknowledged. */
  connectionFailure: '08006',
  deadlockDetected: '40P01',
  cannotConnectNow: '57P03',
  queryCanceled: '57014',
  /** A transaction, or a generate_series, too large for one WAL record. */
  programLimitExceeded: '54000',
  ioError: '58030',
} as const;
