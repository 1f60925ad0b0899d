/**
 * The organiser API, opened by an organiser API token (`Authorization: Bearer usd_…`, `undersigned token create`):
 * GET /organise/letters/:slug/signatures (the organisers' table, ?format=json|csv, filters, paging; addresses for
 * owners with ?emails=true, recorded in the audit trail), POST /organise/letters/:slug/removals (bulk removal with a
 * dry run), POST /organise/letters/:slug/signatures/import (paper and imported signatures from CSV or JSON rows,
 * owners only, a dry run first), POST /organise/letters/:slug/updates (an update to the consenting signers) and
 * /replies (the addressee's reply, logged and sent as an update). Never cached.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../../core/errors.ts';
import { parseSignatureFilter, SIGNATURE_SOURCES, SIGNATURE_STATES } from '../../../../core/organisers/signature-filter.ts';
import { exportSignatures } from '../../../../use-cases/export-signatures.ts';
import { markBounced } from '../../../../use-cases/mark-bounced.ts';
import { tokenOrganiser } from '../../../../use-cases/organiser-tokens.ts';
import { signaturesPage, type OrganiserSignatureRow } from '../../../../use-cases/reads/organiser-signatures.ts';
import { removeSignatures } from '../../../../use-cases/remove-signatures.ts';
import { sendUpdate } from '../../../../use-cases/send-update.ts';
import { recordReply } from '../../../../use-cases/record-reply.ts';
import { publicReply } from '../../cache/replies.ts';
import { REPLY_BODY_LIMIT } from '../../kit/limits.ts';
import { decideHeld } from '../../../../use-cases/decide-held.ts';
import { heldView } from '../../../../use-cases/reads/held-sources.ts';
import { importSignatures } from '../../../../use-cases/import-signatures.ts';
import { MAX_IMPORT_ROWS } from '../../../../core/organisers/signature-rows.ts';
import type { Services } from '../../../../use-cases/services.ts';
import { toCsv } from '../../kit/csv.ts';
import { requireJson } from './presenters.ts';
import { errorSchema } from './schemas.ts';

const CSV_COLUMNS = ['id', 'name', 'nameAlt', 'title', 'titleChecked', 'country', 'state', 'source', 'addedBy', 'lang', 'createdAt', 'confirmedAt', 'mailUndeliverable'] as const;
/** Owners only: the mail server's answer when it refused the address for good, and when. */
const OWNER_COLUMNS = ['mailRefusedReason', 'mailRefusedAt'] as const;

export function signaturesCsv(rows: OrganiserSignatureRow[], emails: boolean, owner = emails): string {
  const cols = [...CSV_COLUMNS, ...(owner ? OWNER_COLUMNS : []), ...(emails ? ['email' as const] : [])];
  return toCsv(cols, rows.map((r) => cols.map((c) => r[c] ?? '')));
}

const row = {
  type: 'object',
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, nameAlt: { type: 'string', nullable: true }, title: { type: 'string', nullable: true },
    titleChecked: { type: 'boolean', description: 'An organiser checked the title; otherwise self-described' },
    country: { type: 'string', nullable: true }, state: { type: 'string', enum: [...SIGNATURE_STATES] }, source: { type: 'string', enum: [...SIGNATURE_SOURCES] },
    addedBy: { type: 'string', nullable: true, description: 'Who added a paper or imported signature (an organiser, or operator for the CLI); null for email' },
    lang: { type: 'string' }, createdAt: { type: 'string' }, confirmedAt: { type: 'string', nullable: true },
    email: { type: 'string', description: 'Only with ?emails=true, for owners; empty for imported signatories' },
    mailUndeliverable: { type: 'boolean', description: 'A mail server refused this signer\'s address for good (an SMTP 5xx): our mail does not reach them' },
    mailRefusedReason: { type: 'string', nullable: true, description: 'Owners only: the server\'s answer when it refused the address' },
    mailRefusedAt: { type: 'string', nullable: true, description: 'Owners only: when the server refused the address' },
  },
} as const;

const filterProperties = {
  state: { type: 'string', enum: [...SIGNATURE_STATES], description: 'held: waiting for an organiser — held for a check at signing (not counted until released: GET/POST …/held) or confirmed and in an open duplicate review; removed: removed by an organiser' },
  source: { type: 'string', enum: [...SIGNATURE_SOURCES] },
  country: { type: 'string', description: 'ISO 3166-1 alpha-2' },
  from: { type: 'string', description: 'YYYY-MM-DD, inclusive (when signed)' },
  to: { type: 'string', description: 'YYYY-MM-DD, inclusive' },
  q: { type: 'string', maxLength: 200, description: 'A name or part of one in any script (Latin letters find Persian names and back)' },
  mail: { type: 'string', enum: ['undeliverable'], description: 'undeliverable: only signers whose address a mail server refused for good' },
} as const;

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return typeof h === 'string' && /^Bearer\s+/i.test(h) ? h.replace(/^Bearer\s+/i, '').trim() : undefined;
}

/** A CSV body for the import: 4 MiB (every row at its longest, in Persian, fits many times over). */
export const IMPORT_BODY_LIMIT = 4 * 1024 * 1024;

const addedRow = {
  type: 'object',
  properties: {
    line: { type: 'integer' }, name: { type: 'string' }, nameAlt: { type: 'string' }, title: { type: 'string' },
    country: { type: 'string' }, lang: { type: 'string' }, visibility: { type: 'string', enum: ['public', 'hidden'] },
  },
} as const;

export const importResultSchema = {
  type: 'object',
  properties: {
    dryRun: { type: 'boolean' },
    source: { type: 'string', enum: ['paper', 'imported'] },
    count: { type: 'integer', description: 'Rows that would be added (dryRun) or were added; 0 while any row has a problem' },
    sample: { type: 'array', items: addedRow, description: 'Up to 10 of them, as they will be published (names exactly as typed)' },
    problems: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer' }, field: { type: 'string' }, code: { type: 'string' }, limit: { type: 'integer' } } } },
    duplicates: { type: 'integer', description: 'dryRun: rows resembling a signature on the letter; commit: pairs opened in the review queue' },
    repeatOf: { type: 'object', nullable: true, properties: { id: { type: 'string' }, at: { type: 'string' }, by: { type: 'string' }, rows: { type: 'integer' } }, description: 'These rows were imported before: a commit is refused (ALREADY_IMPORTED)' },
    importId: { type: 'string' },
  },
} as const;

export function organiseApi(s: Services) {
  return async (f: FastifyInstance) => {
    const security = [{ organiserToken: [] }];
    f.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));

    f.get<{ Params: { slug: string }; Querystring: Record<string, string | undefined> }>('/organise/letters/:slug/signatures', {
      schema: {
        tags: ['organise'],
        summary: "A letter's signatures for its organisers: every state and source, filtered; JSON pages or the whole selection as CSV",
        security,
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        querystring: {
          type: 'object',
          properties: {
            ...filterProperties,
            format: { type: 'string', enum: ['json', 'csv'], description: 'csv: every matching row, UTF-8 with BOM' },
            emails: { type: 'string', enum: ['true', 'false'], description: 'Owners only; the export is recorded in the audit trail' },
            page: { type: 'string', pattern: '^[0-9]{1,9}$' },
          },
        },
        response: {
          200: {
            type: 'object',
            description: 'JSON (format=json); format=csv answers text/csv',
            properties: {
              items: { type: 'array', items: row }, total: { type: 'integer' }, page: { type: 'integer' }, pages: { type: 'integer' }, counts: { type: 'object', additionalProperties: { type: 'integer' } },
              undeliverable: { type: 'integer', description: 'How many of the letter\'s signers have an address a mail server refused for good' },
            },
          },
          400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema,
        },
      },
    }, async (req, reply: FastifyReply) => {
      const actor = await tokenOrganiser(s.deps, bearer(req), req.params.slug);
      const { format = 'json', emails, page, ...rest } = req.query;
      const filter = parseSignatureFilter(rest);
      const withEmails = emails === 'true';
      if (format === 'csv' || withEmails) {
        const out = await exportSignatures(s.deps, req.params.slug, actor, filter, { emails: withEmails, format: format === 'csv' ? 'csv' : 'json', via: 'api' });
        if (format === 'csv') {
          reply.header('content-disposition', `attachment; filename="${out.slug}-signatures.csv"`);
          return reply.type('text/csv; charset=utf-8').send(signaturesCsv(out.rows, withEmails, out.owner));
        }
        return { items: out.rows, total: out.rows.length, page: 1, pages: 1 };
      }
      const p = await signaturesPage(s.deps, req.params.slug, actor, filter, Number(page ?? 1), 100);
      return { items: p.rows, total: p.total, page: p.page, pages: p.pages, counts: p.counts, undeliverable: p.undeliverable };
    });

    f.post<{ Params: { slug: string }; Body: { filter?: Record<string, unknown>; ids?: string[]; reason?: string; dryRun?: boolean } }>('/organise/letters/:slug/removals', {
      schema: {
        tags: ['organise'],
        summary: 'Remove confirmed signatures chosen by filter and/or ids, with one public reason; dryRun (the default) only counts them',
        description: 'Each removed signature is a `remove` entry with its reason in the transparency log; the letter page shows the counts by reason.',
        security,
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        body: {
          type: 'object',
          required: ['reason'],
          additionalProperties: false,
          properties: {
            filter: { type: 'object', additionalProperties: false, properties: filterProperties },
            ids: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 10000 },
            reason: { type: 'string', enum: ['fraud', 'duplicate', 'legal', 'signer'] },
            dryRun: { type: 'boolean', default: true },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              dryRun: { type: 'boolean' },
              count: { type: 'integer', description: 'How many would be removed (dryRun) or were removed' },
              sample: { type: 'array', items: row, description: 'Up to 10 of them' },
              skipped: { type: 'integer', description: 'Chosen, but withdrawn or removed meanwhile' },
            },
          },
          400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 415: errorSchema,
        },
      },
    }, async (req) => {
      requireJson(req);
      const actor = await tokenOrganiser(s.deps, bearer(req), req.params.slug);
      const body = req.body ?? {};
      if (!body.filter && !body.ids) throw new DomainError('VALIDATION_FAILED', 'Choose signatures by filter or ids', [{ field: 'filter', code: 'REQUIRED' }]);
      return removeSignatures(s.deps, req.params.slug, actor, { filter: parseSignatureFilter(body.filter ?? {}), ids: body.ids, reason: String(body.reason), dryRun: body.dryRun !== false });
    });

    const langMap = { type: 'object', additionalProperties: { type: 'string' }, description: 'Language tag → text' } as const;
    const updateSchema = {
      type: 'object',
      properties: {
        id: { type: 'string' }, kind: { type: 'string', enum: ['update', 'reply', 'milestone'] }, subject: langMap, body: langMap,
        recipients: { type: 'integer', description: 'Signers it was queued for: confirmed, opted in, not unsubscribed, withdrawn, removed or erased' },
        createdAt: { type: 'string', format: 'date-time' },
        repeat: { type: 'boolean', description: 'True: this update was sent before (same Idempotency-Key, or the same words) and nothing was sent now' },
      },
    } as const;
    const idempotencyKey = (req: FastifyRequest) => {
      const h = req.headers['idempotency-key'];
      return typeof h === 'string' ? h : undefined;
    };

    f.post<{ Params: { slug: string }; Body: { subject?: unknown; body?: unknown; kind?: string } }>('/organise/letters/:slug/updates', {
      schema: {
        tags: ['organise'],
        summary: "An update to the letter's signers, in their languages (owners)",
        description: 'Queued through the outbox to every confirmed signer who opted in and has not unsubscribed, withdrawn, been removed or erased, each in their language (the letter\'s default language when the update lacks theirs). Every mail carries List-Unsubscribe (a one-click POST URL) and List-Unsubscribe-Post (RFC 8058). Idempotent: the same `Idempotency-Key` header — or, without one, the same words — sends one update (201 the first time, 200 with repeat: true after).',
        security,
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 200 } } },
        body: {
          type: 'object',
          required: ['subject', 'body'],
          additionalProperties: false,
          properties: { subject: langMap, body: langMap, kind: { type: 'string', enum: ['update', 'milestone'] } },
        },
        response: { 200: updateSchema, 201: updateSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 415: errorSchema },
      },
    }, async (req, reply) => {
      requireJson(req);
      const actor = await tokenOrganiser(s.deps, bearer(req), req.params.slug);
      const b = req.body ?? {};
      const r = await sendUpdate(s.deps, req.params.slug, actor, { subject: b.subject, body: b.body, key: idempotencyKey(req), kind: b.kind === 'milestone' ? 'milestone' : 'update' });
      const u = r.update;
      return reply.code(r.created ? 201 : 200).send({ id: u.id, kind: u.kind, subject: u.subject, body: u.body, recipients: u.recipients, createdAt: u.createdAt, repeat: !r.created });
    });

    f.post<{ Params: { slug: string; id: string }; Body: { bounce?: unknown } }>('/organise/letters/:slug/deliveries/:id/bounce', {
      schema: {
        tags: ['organise'],
        summary: 'Mark a sent delivery as bounced, with the bounce message (owners)',
        description: 'For a delivery the addressee\'s server accepted and later returned: a conditional update from sent to bounced (of two at once one lands; DELIVERY_NOT_SENT for a queued, failed or bounced one), recorded in the audit trail. The public letter and API show the status `bounced`, never the message. A delivery our SMTP server refused (5xx) is `failed` already.',
        security,
        params: { type: 'object', properties: { slug: { type: 'string' }, id: { type: 'string', maxLength: 200 } } },
        body: { type: 'object', required: ['bounce'], additionalProperties: false, properties: { bounce: { type: 'string', maxLength: 100_000, description: 'The bounce message as received (kept up to 8,000 characters)' } } },
        response: {
          200: { type: 'object', properties: { id: { type: 'string' }, targetId: { type: 'string' }, status: { type: 'string', enum: ['bounced'] }, updatedAt: { type: 'string', format: 'date-time' } } },
          400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 415: errorSchema,
        },
      },
    }, async (req) => {
      requireJson(req);
      const actor = await tokenOrganiser(s.deps, bearer(req), req.params.slug);
      const d = await markBounced(s.deps, req.params.slug, actor, req.params.id, req.body?.bounce);
      return { id: d.id, targetId: d.targetId, status: d.status, updatedAt: d.updatedAt };
    });

    const replySchema = {
      type: 'object',
      properties: {
        id: { type: 'string' }, receivedOn: { type: 'string', format: 'date' },
        texts: { type: 'array', items: { type: 'object', properties: { lang: { type: 'string' }, body: { type: 'string' } } } },
        textSha256: { type: 'string', description: "Base64 SHA-256 of the reply's canonical text, as in its `reply` log entry (docs/transparency-log.md)" },
        pdfSha256: { type: 'string', nullable: true }, pdfUrl: { type: 'string', nullable: true }, createdAt: { type: 'string', format: 'date-time' },
        update: { type: 'object', nullable: true, properties: { id: { type: 'string' }, recipients: { type: 'integer' } } },
        repeat: { type: 'boolean' },
      },
    } as const;

    f.post<{ Params: { slug: string }; Body: { texts?: unknown; receivedOn?: unknown; notify?: boolean; pdfBase64?: string } }>('/organise/letters/:slug/replies', {
      bodyLimit: REPLY_BODY_LIMIT,
      schema: {
        tags: ['organise'],
        summary: "Record the addressee's reply (owners): shown under the letter, logged, sent to the consenting signers",
        description: 'texts: language tag → Markdown (one or more); receivedOn: YYYY-MM-DD, not in the future; pdfBase64: the reply as a PDF (optional, up to 5 MB). One `reply` entry in the transparency log carries the SHA-256 of the canonical text and of the PDF. notify (default true): the reply goes to the consenting signers as an update. Idempotent like updates (Idempotency-Key, else the same text and PDF).',
        security,
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 200 } } },
        body: {
          type: 'object',
          required: ['texts', 'receivedOn'],
          additionalProperties: false,
          properties: { texts: langMap, receivedOn: { type: 'string', maxLength: 10 }, notify: { type: 'boolean', default: true }, pdfBase64: { type: 'string', maxLength: 7_200_000 } },
        },
        response: { 200: replySchema, 201: replySchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 413: errorSchema, 415: errorSchema },
      },
    }, async (req, reply) => {
      requireJson(req);
      const actor = await tokenOrganiser(s.deps, bearer(req), req.params.slug);
      const b = req.body ?? {};
      let pdf: Uint8Array | undefined;
      if (typeof b.pdfBase64 === 'string' && b.pdfBase64.length) {
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b.pdfBase64.replace(/\s+/g, ''))) throw new DomainError('VALIDATION_FAILED', 'pdfBase64 is not base64', [{ field: 'pdf', code: 'INVALID_FILE' }]);
        pdf = new Uint8Array(Buffer.from(b.pdfBase64, 'base64'));
      }
      const r = await recordReply(s.deps, req.params.slug, actor, { texts: b.texts, receivedOn: b.receivedOn, notify: b.notify !== false, key: idempotencyKey(req) }, pdf);
      const letterSlug = req.params.slug;
      return reply.code(r.created ? 201 : 200).send({ ...publicReply(letterSlug, r.reply), update: r.update ? { id: r.update.id, recipients: r.update.recipients } : null, repeat: !r.created });
    });

    f.get<{ Params: { slug: string } }>('/organise/letters/:slug/held', {
      schema: {
        tags: ['organise'],
        summary: 'Held signatures and signings by source: per hour over the last day, by hashed address prefix, email domain and country, with held counts',
        security,
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              heldTotal: { type: 'integer' },
              sources: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string', enum: ['prefix', 'domain', 'country'] }, value: { type: 'string' }, lastHour: { type: 'integer' }, lastDay: { type: 'integer' }, perHour: { type: 'array', items: { type: 'integer' } }, held: { type: 'integer' }, heldPending: { type: 'integer' } } } },
              held: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, country: { type: 'string', nullable: true }, reasons: { type: 'array', items: { type: 'string' } }, source: { type: 'string', nullable: true }, domain: { type: 'string', nullable: true, description: "The signer's email domain: for the letter's owners only, null for a moderator" }, createdAt: { type: 'string' } } } },
            },
          },
          401: errorSchema, 403: errorSchema, 404: errorSchema,
        },
      },
    }, async (req) => {
      const actor = await tokenOrganiser(s.deps, bearer(req), req.params.slug);
      const v = await heldView(s.deps, req.params.slug, actor);
      return { heldTotal: v.heldTotal, sources: v.sources, held: v.held.map((h) => ({ id: h.id, name: h.name, country: h.country, reasons: h.reasons, source: h.sourceKey, domain: h.domain, createdAt: h.createdAt })) };
    });

    f.post<{ Params: { slug: string }; Body: { decision?: string; ids?: string[]; source?: string; domain?: string; country?: string; reason?: string; dryRun?: boolean } }>('/organise/letters/:slug/held', {
      schema: {
        tags: ['organise'],
        summary: 'Release held signatures (they count, are listed and logged from then on) or remove them with a reason (never counted); by ids or a whole source; dryRun (the default) only counts them',
        security,
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        body: {
          type: 'object',
          required: ['decision'],
          additionalProperties: false,
          properties: {
            decision: { type: 'string', enum: ['release', 'remove'] },
            ids: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 10000 },
            source: { type: 'string', maxLength: 100, description: 'A hashed address prefix (GET …/held: sources of kind prefix)' },
            domain: { type: 'string', maxLength: 255 },
            country: { type: 'string', maxLength: 2 },
            reason: { type: 'string', enum: ['fraud', 'duplicate', 'legal', 'signer'], description: 'Required to remove' },
            dryRun: { type: 'boolean', default: true },
          },
        },
        response: {
          200: { type: 'object', properties: { dryRun: { type: 'boolean' }, decision: { type: 'string' }, count: { type: 'integer' }, sample: { type: 'array', items: row }, skipped: { type: 'integer' } } },
          400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 415: errorSchema,
        },
      },
    }, async (req) => {
      requireJson(req);
      const actor = await tokenOrganiser(s.deps, bearer(req), req.params.slug);
      const b = req.body ?? {};
      return decideHeld(s.deps, req.params.slug, actor, { decision: b.decision as 'release', ids: b.ids, source: b.source, domain: b.domain, country: b.country, reason: b.reason, dryRun: b.dryRun !== false });
    });

    f.post<{ Params: { slug: string }; Querystring: { source?: string; dryRun?: string }; Body: unknown }>('/organise/letters/:slug/signatures/import', {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['organise'],
        summary: 'Add paper or imported signatures from CSV or JSON rows (owners); dryRun (the default) checks and counts only',
        description: 'Send `text/csv` (a header line naming the columns: name, nameAlt, title, country, lang, visibility; `?source=paper|imported&dryRun=false`) '
          + `or JSON \`{"source": "paper", "dryRun": true, "rows": [{"name": "…"}]}\` (or \`"csv": "…"\` instead of rows). At most ${MAX_IMPORT_ROWS} rows. `
          + 'Names are kept exactly as typed. Any problem refuses the whole import (IMPORT_ROWS_INVALID, every problem by line); the same rows again on the same letter are refused (ALREADY_IMPORTED). '
          + 'Each signature added is confirmed, marked with its source and who added it, and has a `sig` entry naming its source in the transparency log once the letter is published.',
        security,
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        querystring: { type: 'object', properties: { source: { type: 'string', enum: ['paper', 'imported'] }, dryRun: { type: 'string', enum: ['true', 'false'] } } },
        response: { 200: importResultSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 413: errorSchema, 415: errorSchema, 422: errorSchema },
      },
    }, async (req) => {
      const ct = String(req.headers['content-type'] ?? '');
      const actor = await tokenOrganiser(s.deps, bearer(req), req.params.slug);
      if (/^text\/csv\b/i.test(ct)) {
        return importSignatures(s.deps, req.params.slug, actor, { source: String(req.query.source ?? ''), csv: String(req.body ?? ''), dryRun: req.query.dryRun !== 'false' });
      }
      requireJson(req);
      const body = (req.body ?? {}) as { source?: unknown; dryRun?: unknown; rows?: unknown; csv?: unknown };
      if (typeof body !== 'object' || Array.isArray(body)) throw new DomainError('VALIDATION_FAILED', 'Send an object: {"source", "dryRun", "rows"}', [{ field: 'rows', code: 'INVALID_TYPE' }]);
      if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') throw new DomainError('VALIDATION_FAILED', 'dryRun is true or false', [{ field: 'dryRun', code: 'INVALID_TYPE' }]);
      if (body.csv !== undefined && typeof body.csv !== 'string') throw new DomainError('VALIDATION_FAILED', 'csv is the text of a CSV file', [{ field: 'csv', code: 'INVALID_TYPE' }]);
      return importSignatures(s.deps, req.params.slug, actor, {
        source: String(body.source ?? req.query.source ?? ''), csv: body.csv as string | undefined, rows: body.rows, dryRun: body.dryRun !== false && req.query.dryRun !== 'false',
      });
    });
  };
}
