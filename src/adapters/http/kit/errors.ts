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
  SIGNATURE_WITHDRAWN: 409,
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
  HOST_NOT_ALLOWED: 421,
  URI_TOO_LONG: 414,
  HEADERS_TOO_LARGE: 431,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  ORGANISER_NOT_ALLOWED: 403,
  ORGANISER_APPROVAL_PENDING: 403,
  ORGANISER_NOT_FOUND: 404,
  ADMIN_NOT_FOUND: 404,
  LAST_OWNER: 409,
  API_TOKEN_NOT_FOUND: 404,
  REPLY_NOT_FOUND: 404,
  IMPORT_ROWS_INVALID: 422,
  ALREADY_IMPORTED: 409,
  DELIVERY_NOT_FOUND: 404,
  DELIVERY_NOT_SENT: 409,
};

/**
 * Seconds a client is told to wait (`Retry-After`) when the database was busy: a write waited its 5 s for another
 * process's write lock on SQLite (SQLITE_BUSY). The lock is held for milliseconds at a time, so a retry soon succeeds.
 */
export const BUSY_RETRY_AFTER_S = 2;

/** Seconds a client is told to wait when the database cannot be reached or its disk is full (an outage). */
export const OUTAGE_RETRY_AFTER_S = 10;

/** Error codes of a database that cannot be reached or cannot write right now (node, PostgreSQL, SQLite). */
const OUTAGE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOSPC', 'EDQUOT', 'EROFS',
  // PostgreSQL: connection exceptions (08…), shut down or starting (57P01-57P03), out of resources (53…)
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53000', '53100', '53200', '53300',
  'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_LOCKED',
]);
/** node-postgres reports a lost or refused connection in messages only. */
const OUTAGE_MESSAGE = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended|not queryable|database system is (?:starting up|shutting down)|terminating connection/i;

/** True for an error that says the database is out of reach or out of space, not that the request was wrong. */
export function isOutage(err: unknown): boolean {
  const e = (err ?? {}) as { code?: unknown; message?: unknown; errors?: unknown[] };
  const code = typeof e.code === 'string' ? e.code : '';
  if (OUTAGE_CODES.has(code) || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY')) return true;
  if (typeof e.message === 'string' && OUTAGE_MESSAGE.test(e.message)) return true;
  return Array.isArray(e.errors) && e.errors.some((x) => isOutage(x));
}

/** The framework's own refusals (bad percent-encoding, an over-long parameter) in our error format. */
export function frameworkError(err: { code?: string }): DomainError {
  if (err.code === 'FST_ERR_BAD_URL') return new DomainError('VALIDATION_FAILED', 'The URL is not valid percent-encoding');
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return new DomainError('URI_TOO_LONG', 'A part of the URL is too long');
  return toDomainError(err);
}

/**
 * What Node's HTTP parser refuses before any route runs (an unknown method, headers over 16 KiB, a request that did
 * not arrive in time), as a raw response in our JSON error format; undefined when there is no one to answer.
 */
export function clientErrorResponse(err: { code?: string }): string | undefined {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return undefined;
  let status = 400;
  let d: DomainError;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT') {
    status = 408;
    d = new DomainError('REQUEST_TIMEOUT', 'The request did not arrive in time');
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    d = new DomainError('HEADERS_TOO_LARGE', 'The request line and headers are larger than 16 KiB');
  } else if (err.code === 'HPE_INVALID_METHOD') {
    status = 405;
    d = new DomainError('METHOD_NOT_ALLOWED', 'Unknown HTTP method; use GET or POST');
  } else {
    d = new DomainError('VALIDATION_FAILED', 'The request is not valid HTTP');
  }
  const body = JSON.stringify(apiError(d));
  const reason = { 400: 'Bad Request', 405: 'Method Not Allowed', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status];
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`;
}

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
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return frameworkError(e);
    // An uploaded file (the desk's CSV import, @fastify/multipart) over its limits, or not a form upload
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new DomainError('BODY_TOO_LARGE', 'The uploaded file is too large (at most 4 MiB, one file)');
    case 'FST_PROTO_VIOLATION':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_INVALID_JSON_FIELD_ERROR':
    case 'FST_MP_PREMATURE_CLOSE':
      return new DomainError('VALIDATION_FAILED', 'The upload is not a valid form');
    case 'FST_ERR_CTP_BODY_TIMEOUT':
      return new DomainError('REQUEST_TIMEOUT', 'The request body did not arrive in time');
  }
  if (e.statusCode === 429) return new DomainError('RATE_LIMITED', 'Too many requests');
  // Any SQLITE_BUSY* code: another process held the database's write lock past the wait. Nothing was written.
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_BUSY')) return new DomainError('SERVER_BUSY', `The server is busy; try again in ${BUSY_RETRY_AFTER_S} seconds`);
  if (isOutage(err)) {
    const d = new DomainError('SERVER_BUSY', `The database cannot be reached right now; try again in ${OUTAGE_RETRY_AFTER_S} seconds`) as DomainError & { retryAfter: number; outage: boolean };
    d.retryAfter = OUTAGE_RETRY_AFTER_S;
    d.outage = true;
    return d;
  }
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
  // busboy (under @fastify/multipart) throws plain errors for a multipart body it cannot read (no boundary, …)
  if (err instanceof Error && err.message.startsWith('Multipart: ')) return new DomainError('VALIDATION_FAILED', 'The upload is not a valid form');
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
      // An import refused for its rows: every problem by line (IMPORT_ROWS_INVALID).
      ...(Array.isArray((err as { problems?: unknown }).problems) ? { problems: (err as unknown as { problems: unknown[] }).problems } : {}),
    },
  };
}
