/** Maps stable error codes to HTTP statuses and to the JSON error body of the API. */
import { DomainError, type ErrorCode } from '../../../core/errors.ts';

export const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  LETTER_NOT_FOUND: 404,
  LETTER_NOT_OPEN: 409,
  LETTER_CLOSED: 409,
  LETTER_INCOMPLETE: 409,
  LETTER_ILLEGAL_TRANSITION: 409,
  SLUG_TAKEN: 409,
  LANGUAGE_NOT_AVAILABLE: 404,
  TOKEN_INVALID: 400,
  TOKEN_EXPIRED: 410,
  TOKEN_USED: 409,
  SIGNATURE_NOT_FOUND: 404,
  SIGNATURE_ALREADY_CONFIRMED: 409,
  SIGNATURE_NOT_CONFIRMED: 409,
  REVIEW_NOT_FOUND: 404,
  NOT_SIGNED_IN: 401,
  NOT_AUTHORISED: 403,
  CSRF_INVALID: 403,
  RATE_LIMITED: 429,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  LOG_NOT_READY: 503,
  RECEIPT_NOT_READY: 409,
  SERVER_BUSY: 503,
  DOCUMENT_UNAVAILABLE: 503,
  TARGET_NOT_FOUND: 404,
  INTERNAL: 500,
};

/**
 * Seconds a client is told to wait (`Retry-After`) when the database was busy: a write waited its 5 s for another
 * process's write lock on SQLite (SQLITE_BUSY). The lock is held for milliseconds at a time, so a retry soon succeeds.
 */
export const BUSY_RETRY_AFTER_S = 2;

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: { instancePath?: string; params?: Record<string, unknown>; keyword?: string }[];
}

/** Turns anything thrown into a DomainError; unknown errors become INTERNAL (their detail goes to the log only). */
export function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const e = (err ?? {}) as FastifyLikeError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('BODY_TOO_LARGE', 'The request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('VALIDATION_FAILED', 'The request body is empty or malformed');
    case 'FST_CSRF_INVALID_TOKEN':
    case 'FST_CSRF_MISSING_SECRET':
      return new DomainError('CSRF_INVALID', 'The form token is missing or expired');
    case 'FST_ERR_NOT_FOUND':
      return new DomainError('NOT_FOUND', 'Not found');
  }
  if (e.statusCode === 429) return new DomainError('RATE_LIMITED', 'Too many requests');
  // Any SQLITE_BUSY* code: another process held the database's write lock past the wait. Nothing was written.
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_BUSY')) return new DomainError('SERVER_BUSY', `The server is busy; try again in ${BUSY_RETRY_AFTER_S} seconds`);
  if (e.validation) {
    return new DomainError(
      'VALIDATION_FAILED',
      'The request does not match the schema',
      e.validation.map((v) => ({
        field: (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.') || String(v.params?.missingProperty ?? v.params?.additionalProperty ?? ''),
        code: v.keyword === 'required' ? ('REQUIRED' as const) : v.keyword === 'maxLength' ? ('TOO_LONG' as const) : ('INVALID_TYPE' as const),
      })),
    );
  }
  if (e instanceof SyntaxError || (e.statusCode === 400 && typeof e.code === 'string')) return new DomainError('VALIDATION_FAILED', 'The request body is malformed');
  if (typeof e.statusCode === 'number' && e.statusCode === 404) return new DomainError('NOT_FOUND', 'Not found');
  if (typeof e.statusCode === 'number' && e.statusCode === 415) return new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type');
  if (typeof e.statusCode === 'number' && e.statusCode === 413) return new DomainError('BODY_TOO_LARGE', 'The request body is too large');
  return new DomainError('INTERNAL', 'Internal error');
}

export function apiError(err: DomainError) {
  return {
    error: {
      code: err.code,
      message: err.code === 'INTERNAL' ? 'Something went wrong on our side; please try again' : err.message,
      ...(err.fields.length ? { fields: err.fields } : {}),
    },
  };
}
