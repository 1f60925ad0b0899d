import { DomainError } from '../core/errors.ts';
import { textVersionForEdit, validateLetterInput, type LetterInput } from '../core/letters/letter.ts';
import type { LetterState, LetterWithText } from '../core/model.ts';
import { iso, Raced, retryRaced, type Deps } from './deps.ts';
import { logPublishedTexts } from './steps/log-entries.ts';
import { forgetLetter } from './steps/letter-snapshot.ts';
import { loadOwnLetter } from './steps/access.ts';
import { recordAudit } from './steps/audit.ts';
import { changeLetterState } from './steps/letter-state.ts';

/**
 * Saves an edited letter. The slug cannot change once published (links are out there). The text is edited
 * in place until someone has confirmed; after that the edit becomes a new text version.
 */
export async function editLetter(deps: Deps, slug: string, input: LetterInput, actor: string | undefined): Promise<LetterWithText> {
  const v = validateLetterInput({ ...input, slug: input.slug ?? slug });
  const now = iso(deps.clock.now());
  const edited = await retryRaced(() => deps.store.transaction(async (tx) => {
    const letter = await loadOwnLetter(tx, slug, actor, 'owner');
    if (v.slug !== letter.slug) {
      if (letter.state !== 'draft') throw new DomainError('VALIDATION_FAILED', 'The address of a published letter cannot change', [{ field: 'slug', code: 'INVALID_CHOICE' }]);
      if (await tx.letters.bySlug(v.slug)) throw new DomainError('SLUG_TAKEN', `The address /${v.slug} is taken`, [{ field: 'slug', code: 'DUPLICATE' }]);
    }
    const confirmed = (await tx.signatures.countConfirmed(letter.id)) > 0;
    const textChanged = JSON.stringify(letter.versions) !== JSON.stringify(v.versions);
    const textVersion = textChanged ? textVersionForEdit(letter, confirmed) : letter.textVersion;
    const organisers = actor && !v.organisers.includes(actor) ? [actor, ...v.organisers] : v.organisers.length ? v.organisers : letter.organisers;
    const { versions: _old, ...row } = letter;
    const updated = { ...row, slug: v.slug, addressee: v.addressee, defaultLang: v.defaultLang, goal: v.goal, organisers, textVersion, updatedAt: now };
    if (textChanged) await tx.letters.putVersions(letter.id, textVersion, v.versions);
    if (!(await tx.letters.updateIfUnchanged(updated, letter))) throw new Raced();
    for (const m of await tx.desk.moderators(letter.id)) if (!organisers.includes(m)) await tx.desk.setModerator(letter.id, m, false);
    await recordAudit(tx, deps, letter.id, actor, 'edit', { textChanged, textVersion });
    // The targets, when the edit names them (the organiser's form does): a target kept keeps its id, so its past
    // deliveries still name it.
    if (input.targets !== undefined) {
      const before = await tx.deliveries.targets(letter.id);
      const same = (a: { name: string; email: string; lang: string; title?: string | undefined }, b: typeof a) => a.name === b.name && a.email.toLowerCase() === b.email.toLowerCase() && a.lang === b.lang && (a.title ?? '') === (b.title ?? '');
      const next = v.targets.map((x) => ({ ...x, letterId: letter.id, id: before.find((b) => same(b, x))?.id ?? deps.secrets.newId() }));
      if (next.length !== before.length || next.some((x, i) => !same(x, before[i]!) || x.id !== before[i]!.id)) {
        await tx.deliveries.putTargets(letter.id, next);
        await recordAudit(tx, deps, letter.id, actor, 'targets', { targets: next.length });
      }
    }
    // Every published text is logged, including edits made in place before anyone confirmed.
    if (textChanged) await logPublishedTexts(tx, deps, { ...updated, versions: v.versions });
    return { ...updated, versions: v.versions };
  })).finally(() => forgetLetter(deps.store, slug)); // signing here reloads it at once (elsewhere: letter-snapshot.ts)
  deps.signals.letterChanged(edited.id);
  deps.signals.logQueued();
  return edited;
}

/** Publishes, closes or reopens a letter (owners; steps/letter-state.ts). */
export async function setLetterState(deps: Deps, slug: string, to: LetterState, actor: string | undefined): Promise<LetterWithText> {
  return changeLetterState(deps, slug, to, actor);
}
