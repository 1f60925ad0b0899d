import { DomainError } from '../core/errors.ts';
import { transition, validateLetterInput, type LetterInput } from '../core/letters/letter.ts';
import type { LetterWithText } from '../core/model.ts';
import { iso, type Deps } from './deps.ts';
import { logPublish } from './steps/log-entries.ts';
import { checkMayOrganise } from './steps/organiser-policy.ts';
import { recordAudit } from './steps/audit.ts';

export interface CreateLetterOptions {
  /** The signed-in organiser, added to the organisers. */
  organiser?: string | undefined;
  publish?: boolean | undefined;
  imported?: boolean | undefined;
}

export async function createLetter(deps: Deps, input: LetterInput, opts: CreateLetterOptions = {}): Promise<LetterWithText> {
  const v = validateLetterInput(input, { addresseeLater: opts.imported === true && !opts.publish });
  // A signed-in person creating a letter must be allowed to organise here; the local operator always is.
  if (opts.organiser) await checkMayOrganise(deps, opts.organiser);
  const now = iso(deps.clock.now());
  const organisers = opts.organiser && !v.organisers.includes(opts.organiser) ? [opts.organiser, ...v.organisers] : v.organisers;
  let letter: LetterWithText = {
    id: deps.secrets.newId(),
    slug: v.slug,
    addressee: v.addressee,
    defaultLang: v.defaultLang,
    goal: v.goal,
    state: 'draft',
    textVersion: 1,
    organisers,
    imported: opts.imported ?? false,
    createdAt: now,
    updatedAt: now,
    versions: v.versions,
  };
  if (opts.publish) letter = { ...transition(letter, 'open', now), versions: letter.versions };
  const created = await deps.store.transaction(async (tx) => {
    if (await tx.letters.bySlug(letter.slug)) throw new DomainError('SLUG_TAKEN', `The address /${letter.slug} is taken`, [{ field: 'slug', code: 'DUPLICATE' }]);
    const { versions, ...row } = letter;
    await tx.letters.insert(row, versions);
    if (v.targets.length) await tx.deliveries.putTargets(letter.id, v.targets.map((x) => ({ ...x, id: deps.secrets.newId(), letterId: letter.id })));
    await logPublish(tx, deps, letter);
    if (letter.state === 'open') await recordAudit(tx, deps, letter.id, opts.organiser, 'publish');
    return letter;
  });
  if (created.state !== 'draft') deps.signals.logQueued();
  return created;
}
