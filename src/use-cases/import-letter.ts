/**
 * Creates a draft letter from an imported plain-text letter: its language versions and each distinct person
 * once, with both names kept, marked "imported, not verified by email". Imported signatories count (they are on
 * the original letter) but the page says plainly that nobody confirmed them by email.
 */
import { DomainError } from '../core/errors.ts';
import type { ImportLetterInput } from '../core/import/index.ts';
import { blockingKeys } from '../core/names/index.ts';
import type { LetterVersion, Signature } from '../core/model.ts';
import { iso, type Deps } from './deps.ts';
import { createLetter } from './create-letter.ts';

export interface ImportOptions {
  slug: string;
  addressee?: { name: string; title?: string | undefined } | undefined;
  organiser?: string | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

function versionText(v: ImportLetterInput['versions'][number]): LetterVersion {
  const parts = [v.salutation, v.body, v.date].filter((p): p is string => !!p && !!p.trim());
  return { lang: v.lang, title: v.title?.trim() || v.lang, body: parts.join('\n\n') };
}

export async function importLetter(deps: Deps, input: ImportLetterInput, opts: ImportOptions): Promise<{ letterId: string; slug: string; people: number; urls: Record<string, string> }> {
  if (!input.versions.length) throw new DomainError('VALIDATION_FAILED', 'The text has no language version', [{ field: 'versions', code: 'REQUIRED' }]);
  const addressee = opts.addressee ?? { name: input.versions.find((v) => v.salutation)?.salutation?.slice(0, 200) ?? '—' };
  const letter = await createLetter(
    deps,
    { slug: opts.slug, addressee, defaultLang: input.versions[0]!.lang, versions: input.versions.map(versionText), organisers: opts.organiser ? [opts.organiser] : [] },
    { imported: true },
  );
  const now = iso(deps.clock.now());
  const total = input.people.length;
  // Batches keep each transaction short on a large list; each batch lands whole or not at all.
  for (let start = 0; start < total; start += 500) {
    await deps.store.transaction(async (tx) => {
      for (let i = start; i < Math.min(total, start + 500); i++) {
        const p = input.people[i]!;
        const sig: Signature = {
          id: deps.secrets.newId(),
          letterId: letter.id,
          // Imported signatories have no address; the key only keeps them distinct.
          email: '',
          emailKey: `imported:${i}`,
          name: p.name,
          nameAlt: p.nameAlt ?? undefined,
          visibility: 'public',
          lang: p.lang,
          consentUpdates: false,
          status: 'confirmed',
          textVersion: letter.textVersion,
          mailsSent: 0,
          imported: true,
          createdAt: now,
          updatedAt: now,
          confirmedAt: now,
        };
        await tx.signatures.insert(sig);
        await tx.reviews.putKeys(letter.id, sig.id, blockingKeys(sig.name, sig.nameAlt));
      }
    });
    opts.onProgress?.(Math.min(total, start + 500), total);
  }
  const urls = Object.fromEntries(letter.versions.map((v) => [v.lang, `${deps.baseUrl}/${v.lang}/letters/${letter.slug}`]));
  return { letterId: letter.id, slug: letter.slug, people: total, urls };
}
