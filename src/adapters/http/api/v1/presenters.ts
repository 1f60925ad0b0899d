/** The API's answers built from the read models: public fields only (emails are accepted, never returned). */
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../../../core/errors.ts';
import type { LetterVersion, LetterWithText } from '../../../../core/model.ts';
import { canonicalText } from '../../../../core/letters/canonical.ts';
import { letterTextHash, toBase64 } from '../../../../core/log/index.ts';
import type { Services } from '../../../../use-cases/services.ts';

/** A letter the public may see: open or closed, never a draft. */
export async function publicLetter(s: Services, slug: string): Promise<LetterWithText> {
  const letter = await s.reads.bySlug(slug);
  if (!letter || letter.state === 'draft') throw new DomainError('LETTER_NOT_FOUND', `No letter at /${slug}`);
  return letter;
}

/** A letter as the list and the letter's own answer start it (schemas.ts letterSummary). */
export async function summary(s: Services, letter: LetterWithText) {
  const def = letter.versions.find((v) => v.lang === letter.defaultLang) ?? letter.versions[0]!;
  return {
    slug: letter.slug,
    state: letter.state,
    defaultLang: letter.defaultLang,
    languages: letter.versions.map((v) => v.lang),
    title: def.title,
    addressee: { name: letter.addressee.name, title: letter.addressee.title ?? null },
    goal: letter.goal ?? null,
    count: await s.reads.count(letter.id),
    counts: await countsOf(s, letter.id),
    imported: letter.imported,
    urls: Object.fromEntries(letter.versions.map((v) => [v.lang, `${s.deps.baseUrl}/${v.lang}/letters/${letter.slug}`])),
  };
}

/** The count split by source: email-confirmed, from paper, imported (they add up to `count`). */
export async function countsOf(s: Services, letterId: string) {
  const c = await s.reads.countSplit(letterId);
  return { email: c.email, paper: c.paper, imported: c.imported };
}

/** A language version with the hash of its canonical text, as a `letter` log entry holds it. */
export function versionOf(s: Services, v: LetterVersion) {
  return { ...v, statement: v.statement ?? null, textHash: toBase64(letterTextHash(s.deps.log.crypto, canonicalText(v))) };
}

export function requireJson(req: FastifyRequest): void {
  const ct = String(req.headers['content-type'] ?? '');
  // Threat: a cross-site form posting to the API. Browsers cannot send application/json cross-origin without a preflight.
  if (!/^application\/json\b/i.test(ct)) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send a JSON body with Content-Type: application/json');
}
