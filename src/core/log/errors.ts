/**
 * Errors raised by the log core. Each carries a stable `code` so the HTTP API,
 * the CLI (`undersigned audit --json`) and tests can tell failures apart without
 * parsing messages.
 */
export type LogErrorCode =
  | 'BAD_BASE64'
  | 'BAD_HASH'
  | 'BAD_SIZE'
  | 'BAD_PROOF'
  | 'BAD_NOTE'
  | 'BAD_KEY'
  | 'BAD_SIGNATURE'
  | 'NO_TRUSTED_SIGNATURE'
  | 'BAD_CHECKPOINT'
  | 'WRONG_ORIGIN'
  | 'BAD_TILE'
  | 'BAD_BUNDLE'
  | 'BAD_RECEIPT'
  | 'BAD_ENTRY'
  | 'ROOT_MISMATCH';

export class LogError extends Error {
  readonly code: LogErrorCode;
  constructor(code: LogErrorCode, message: string) {
    super(message);
    this.name = 'LogError';
    this.code = code;
  }
}

export function fail(code: LogErrorCode, message: string): never {
  throw new LogError(code, message);
}
