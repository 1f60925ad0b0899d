/**
 * Stable error codes. Every code is documented in docs/errors.md with what a person or a client should do.
 * Adapters map codes to HTTP statuses and localised messages; the core only decides which code applies.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'LETTER_NOT_FOUND',
  'LETTER_NOT_OPEN',
  'LETTER_CLOSED',
  'LETTER_INCOMPLETE',
  'LETTER_ILLEGAL_TRANSITION',
  'SLUG_TAKEN',
  'LANGUAGE_NOT_AVAILABLE',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'TOKEN_USED',
  'SIGNATURE_NOT_FOUND',
  'SIGNATURE_ALREADY_CONFIRMED',
  'SIGNATURE_NOT_CONFIRMED',
  'SIGNATURE_WITHDRAWN',
  'REVIEW_NOT_FOUND',
  'NOT_SIGNED_IN',
  'NOT_AUTHORISED',
  'CSRF_INVALID',
  'RATE_LIMITED',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'LOG_NOT_READY',
  'RECEIPT_NOT_READY',
  'SERVER_BUSY',
  'DOCUMENT_UNAVAILABLE',
  'TARGET_NOT_FOUND',
  'INTERNAL',
  // Abuse and security (docs/security.md)
  'HOST_NOT_ALLOWED',
  'URI_TOO_LONG',
  'HEADERS_TOO_LARGE',
  'METHOD_NOT_ALLOWED',
  'REQUEST_TIMEOUT',
  // the organiser's desk (organisers, admins, tokens)
  'ORGANISER_NOT_ALLOWED',
  'ORGANISER_APPROVAL_PENDING',
  'ORGANISER_NOT_FOUND',
  'ADMIN_NOT_FOUND',
  'LAST_OWNER',
  'API_TOKEN_NOT_FOUND',
  // updates to signers and the addressee's reply
  'REPLY_NOT_FOUND',
  'IMPORT_ROWS_INVALID',
  'ALREADY_IMPORTED',
  // a delivery marked as bounced
  'DELIVERY_NOT_FOUND',
  'DELIVERY_NOT_SENT',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Why one field was refused. Each has a localised message in the UI catalogues. */
export const FIELD_ERROR_CODES = [
  'REQUIRED',
  'TOO_LONG',
  'TOO_SHORT',
  'BIDI_CONTROL',
  'CONTROL_CHARACTER',
  'INVALID_EMAIL',
  'INVALID_COUNTRY',
  'INVALID_CHOICE',
  'INVALID_SLUG',
  'INVALID_LANGUAGE',
  'INVALID_NUMBER',
  'DUPLICATE',
  'INVALID_TYPE',
  // Abuse and security (docs/security.md)
  'INVISIBLE_CHARACTER',
  'HOLDS_ADDRESS',
  // updates to signers and the addressee's reply
  'INVALID_DATE',
  'INVALID_FILE',
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

export interface FieldError {
  /** Dotted path of the field, e.g. `name` or `versions.1.title`. */
  field: string;
  code: FieldErrorCode;
  /** Limit that was broken, for TOO_LONG / TOO_SHORT messages. */
  limit?: number;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldError[];
  constructor(code: ErrorCode, message?: string, fields: FieldError[] = []) {
    super(message ?? code);
    this.name = 'DomainError';
    this.code = code;
    this.fields = fields;
  }
}

export function validationError(fields: FieldError[], message = 'Some fields need attention'): DomainError {
  return new DomainError('VALIDATION_FAILED', message, fields);
}
