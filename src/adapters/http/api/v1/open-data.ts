/**
 * Open data: GET /letters/:slug/signatures.csv (the whole public list, public fields only, sorted as the language
 * sorts, UTF-8 with a byte order mark so that spreadsheets read Persian right) and GET /letters/:slug/hourly.csv (the
 * confirmed signatures per hour, public and hidden: counts only). Each is built once per change of the list, the
 * count or the log, compressed once, and sent as the same bytes with a strong ETag.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../../use-cases/services.ts';
import { Representation, sendRepresentation } from '../../cache/representations.ts';
import { publicLetter } from './presenters.ts';
import { errorSchema } from './schemas.ts';

const CSV = 'text/csv; charset=utf-8; header=present';
const CACHE = 'public, max-age=10, stale-while-revalidate=30';
const BOM = '\ufeff';

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A field a spreadsheet would run as a
 * formula (starting with = + - @, a tab or a carriage return) is prefixed with an apostrophe (OWASP's advice).
 */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const csvSchema = (description: string) => ({ description, content: { 'text/csv': { schema: { type: 'string' } } } });

export function openDataApi(s: Services) {
  return async (f: FastifyInstance) => {
    const kept = new Map<string, { inputs: string; rep: Promise<Representation> }>();
    const build = (key: string, inputs: string, text: () => Promise<string>) => {
      const hit = kept.get(key);
      if (hit && hit.inputs === inputs) return hit.rep;
      const rep = text().then((t) => Representation.build(t, { contentType: CSV, cacheControl: CACHE, effort: 'fast' }));
      rep.catch(() => kept.delete(key));
      if (kept.size >= 200) kept.clear();
      kept.set(key, { inputs, rep });
      return rep;
    };

    f.get<{ Params: { slug: string }; Querystring: { lang?: string } }>('/letters/:slug/signatures.csv', {
      schema: {
        tags: ['open data'],
        summary: 'The whole public list as CSV: name, name_alt, title, country, confirmed_at, log_index',
        description: 'UTF-8 with a byte order mark; sorted as `lang` (default: the letter\'s default language) sorts. '
          + 'Public fields only: hidden signatures and emails are never in it. A field starting with = + - @ is prefixed with \' '
          + '(spreadsheets would run it as a formula); an erased signer\'s row has an empty name.',
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        querystring: { type: 'object', properties: { lang: { type: 'string', maxLength: 35 } } },
        response: { 200: csvSchema('The public list'), 404: errorSchema },
      },
    }, async (req, reply) => {
      const letter = await publicLetter(s, req.params.slug);
      const lang = req.query.lang && letter.versions.some((v) => v.lang === req.query.lang) ? req.query.lang : letter.defaultLang;
      const [list, state] = await Promise.all([s.reads.sorted(letter.id, lang), s.deps.store.log.state()]);
      const rep = await build(`s\u0000${letter.id}\u0000${lang}`, `${list.version}.${state?.size ?? '-'}`, async () => {
        const lines = [`${BOM}name,name_alt,title,country,confirmed_at,log_index`];
        for (let i = 0; i < list.items.length; i += 1000) {
          const chunk = list.items.slice(i, i + 1000);
          const logs = await s.reads.signatureLogs(chunk.map((x) => x.id));
          for (const x of chunk) lines.push([x.name, x.nameAlt, x.title, x.country, x.confirmedAt, logs.get(x.id)?.logIndex].map(csvField).join(','));
        }
        return lines.join('\r\n') + '\r\n';
      });
      reply.header('content-disposition', `inline; filename="${letter.slug}-signatures.csv"`);
      return sendRepresentation(req, reply, rep);
    });

    f.get<{ Params: { slug: string } }>('/letters/:slug/hourly.csv', {
      schema: {
        tags: ['open data'],
        summary: 'Confirmed signatures (public and hidden) per hour of confirmation, as CSV: hour, count, total',
        description: 'Hours in UTC (ISO 8601), oldest first, hours without a signature left out; `total` is the running sum. '
          + 'The same series as `hourly` in GET /letters/{slug}/stats.',
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        response: { 200: csvSchema('The hourly series'), 404: errorSchema },
      },
    }, async (req, reply) => {
      const letter = await publicLetter(s, req.params.slug);
      const st = await s.reads.stats(letter.id);
      const rep = await build(`h\u0000${letter.id}`, `${st.count}.${st.hourly.length}.${st.hourly.at(-1)?.hour ?? ''}`, async () => {
        let total = 0;
        const lines = ['hour,count,total', ...st.hourly.map((h) => `${h.hour},${h.count},${(total += h.count)}`)];
        return lines.join('\r\n') + '\r\n';
      });
      reply.header('content-disposition', `inline; filename="${letter.slug}-hourly.csv"`);
      return sendRepresentation(req, reply, rep);
    });
  };
}
