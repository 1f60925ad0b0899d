/**
 * Checks of what every request carries, before any handler reads it: nothing hostile reaches a handler, the
 * database or a template as a surprise (a NUL, which PostgreSQL refuses in text; an over-long URL; a path that climbs
 * out of the assets folder). Each refusal is a 4xx in our error format (kit/errors.ts), never a 5xx.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../core/errors.ts';

/** URLs longer than this are refused (414); Node's parser refuses whole headers over 16 KiB (431). */
export const MAX_URL_LENGTH = 8 * 1024;
/** Path parameters longer than this are no slug, token or id of ours (Fastify answers 414 past it). */
export const MAX_PARAM_LENGTH = 200;

const NUL = /\u0000/;

/** The fields (dotted paths) of a parsed body or query string that hold a NUL, at most 20. */
export function fieldsWithNul(value: unknown, path = '', out: string[] = [], depth = 0): string[] {
  if (out.length >= 20 || depth > 8) return out;
  if (typeof value === 'string') {
    if (NUL.test(value)) out.push(path || '(body)');
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => void fieldsWithNul(v, path ? `${path}.${i}` : String(i), out, depth + 1));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (NUL.test(k)) out.push(path ? `${path}.?` : '?');
      else fieldsWithNul(v, path ? `${path}.${k}` : k, out, depth + 1);
    }
  }
  return out;
}

/** onRequest: the URL's length, the path parameters (no NUL, no control character) and the assets' paths. */
export function checkRequestLine(req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  if (req.url.length > MAX_URL_LENGTH) return void done(new DomainError('URI_TOO_LONG', `The URL is longer than ${MAX_URL_LENGTH} characters`));
  const params = req.params as Record<string, unknown> | undefined;
  if (params) {
    for (const v of Object.values(params)) {
      // An id, slug or tag with a control character names nothing we have.
      if (typeof v === 'string' && (/[\u0000-\u001f\u007f]/.test(v) || v.length > MAX_PARAM_LENGTH)) return void done(new DomainError('NOT_FOUND', 'Not found'));
    }
  }
  if (req.url.startsWith('/assets/') && !safeAssetPath(req.url)) return void done(new DomainError('NOT_FOUND', 'Not found'));
  done();
}

/** True when an /assets/ URL names a file inside its folder: no `..` or `.` segment, backslash or NUL once decoded. */
export function safeAssetPath(url: string): boolean {
  const path = url.split('?')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  if (/[\u0000-\u001f\\]/.test(decoded)) return false;
  return !decoded.split('/').some((seg) => seg === '..' || seg === '.');
}

/** preValidation: a NUL anywhere in the query string or the body is refused with the fields that hold one. */
export function checkFields(req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  const bad = [...fieldsWithNul(req.query, ''), ...fieldsWithNul(req.body, '')];
  if (bad.length) return void done(new DomainError('VALIDATION_FAILED', 'A field holds a NUL character', bad.map((field) => ({ field, code: 'CONTROL_CHARACTER' as const }))));
  done();
}
