/**
 * Creates a draft letter from an imported plain-text letter: its language versions and each distinct person
 * once, with both names kept, marked "imported, not verified by email". Imported signatories count (they are on
 * the original letter) but the page says plainly that nobody confirmed them by email.
 */
import { DomainError } from '../core/errors.ts';
import type { ImportLetterInput } from '../core/import/index.ts';
import { blockingKeys, KEY_VERSION } from '../core/names/index.ts';
import type { LetterState, LetterVersion, Signature } from '../core/model.ts';
import { iso, type Deps } from './deps.ts';
import { createLetter } from './create-letter.ts';
import { changeLetterState } from './steps/letter-state.ts';
import { recordAudit } from './steps/audit.ts';

export interface ImportOptions {
  slug: string;
  addressee?: { name: string; title?: string | undefined } | undefined;
  /** The letter's owner (the operator may name one; a signed-in organiser is one). */
  organiser?: string | undefined;
  /** Publish once the signatories are in (they then enter the transparency log). */
  publish?: boolean | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** The version as the letter shows it: the salutation, the body and the date stay part of the text. */
function versionText(v: ImportLetterInput['versions'][number]): LetterVersion {
  const parts = [v.subtitle, v.salutation, v.body, v.date].filter((p): p is string => !!p && !!p.trim());
  const out: LetterVersion = { lang: v.lang, title: v.title?.trim() ?? '', body: parts.join('\n\n') };
  if (v.addressee) out.addressee = { name: v.addressee };
  return out;
}

export async function importLetter(deps: Deps, input: ImportLetterInput, opts: ImportOptions): Promise<{ letterId: string; slug: string; state: LetterState; people: number; urls: Record<string, string> }> {
  if (!input.versions.length) throw new DomainError('VALIDATION_FAILED', 'The text has no language version', [{ field: 'versions', code: 'REQUIRED' }]);
  // The addressee as the first language names it; left empty (for the organiser to fill in) when none was found.
  const addressee = opts.addressee ?? { name: input.versions[0]!.addressee ?? '' };
  const letter = await createLetter(
    deps,
    { slug: opts.slug, addressee, defaultLang: input.versions[0]!.lang, versions: input.versions.map(versionText), organisers: opts.organiser ? [opts.organiser] : [] },
    { imported: true },
  );
  const now = iso(deps.clock.now());
  const total = input.people.length;
  // The list is one import: its signatories are marked imported and added by the letter's owner (or the operator).
  const addedBy = opts.organiser ?? 'operator';
  const importId = deps.secrets.newId();
  await deps.store.transaction(async (tx) => {
    await tx.desk.insertImport({ id: importId, letterId: letter.id, rowsHash: `letter-import:${letter.id}`, source: 'imported', addedBy, rows: total, createdAt: now });
    await recordAudit(tx, deps, letter.id, opts.organiser, 'import', { source: 'imported', count: total, import: importId, via: 'letter import' });
  });
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
        await tx.desk.addSignatureSource({ signatureId: sig.id, letterId: letter.id, source: 'imported', addedBy, importId });
        await tx.reviews.putKeys(letter.id, sig.id, blockingKeys(sig.name, sig.nameAlt), KEY_VERSION);
      }
    });
    opts.onProgress?.(Math.min(total, start + 500), total);
  }
  const urls = Object.fromEntries(letter.versions.map((v) => [v.lang, `${deps.baseUrl}/${v.lang}/letters/${letter.slug}`]));
  deps.signals.letterChanged(letter.id);
  const state = opts.publish ? (await changeLetterState(deps, letter.slug, 'open', undefined)).state : letter.state;
  return { letterId: letter.id, slug: letter.slug, state, people: total, urls };
}
