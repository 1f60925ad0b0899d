/**
 * Paper and imported signatures: an owner of a letter adds the signatories of paper sheets (or of a list gathered
 * elsewhere) from CSV or JSON rows. A dry run checks every row and says how many would be added, a sample, the rows'
 * problems by line, and how many resemble signatures already on the letter; the commit adds them all in one
 * transaction or none: one bad row refuses the whole import (IMPORT_ROWS_INVALID).
 *
 * Each added signature is confirmed, marked with its source (`paper` or `imported`) and who added it, and, once the
 * letter is published, gets its `sig` entry in the transparency log naming that source; possible duplicates go to the
 * review queue as a confirmation's do. An import is known by its rows: the same rows again on the same letter are a
 * repeat (ALREADY_IMPORTED), decided by one conditional insert, so of concurrent imports of one file one lands.
 */
import { DomainError } from '../core/errors.ts';
import { toHex } from '../core/log/index.ts';
import { blockingKeys, comparePreparedPeople, preparePerson, REVIEW } from '../core/names/index.ts';
import type { LetterWithText, Signature } from '../core/model.ts';
import {
  ADDED_SOURCES, parseSignatureCsv, parseSignatureJson, rowsFingerprint,
  type AddedRow, type AddedSource, type ParsedRows, type RowProblem, type SignatureImport,
} from '../core/organisers/signature-rows.ts';
import { iso, type Deps } from './deps.ts';
import { loadOwnLetter } from './steps/access.ts';
import { recordAudit } from './steps/audit.ts';
import { flagDuplicates, MAX_CANDIDATES } from './steps/flag-duplicates.ts';
import { logSignature } from './steps/log-entries.ts';

export const IMPORT_SAMPLE = 10;

export interface ImportSignaturesRequest {
  source: string;
  /** A CSV file's text (header line first), or … */
  csv?: string | undefined;
  /** … JSON rows. */
  rows?: unknown;
  dryRun: boolean;
}

export interface ImportSignaturesResult {
  dryRun: boolean;
  source: AddedSource;
  /** Rows that would be added (dryRun) or were added; 0 when any row has a problem. */
  count: number;
  sample: AddedRow[];
  /** Every problem, by line; the import adds nothing while there is one. */
  problems: RowProblem[];
  /** Rows resembling a signature already on the letter (dryRun), or review-queue pairs opened (commit). */
  duplicates: number;
  /** Set when these rows were imported on this letter before (a dry run says so; a commit is refused). */
  repeatOf?: { id: string; at: string; by: string; rows: number } | undefined;
  importId?: string | undefined;
}

function checkSource(s: unknown): AddedSource {
  if (typeof s !== 'string' || !(ADDED_SOURCES as readonly string[]).includes(s)) {
    throw new DomainError('VALIDATION_FAILED', 'Choose the source: paper or imported', [{ field: 'source', code: 'INVALID_CHOICE' }]);
  }
  return s as AddedSource;
}

function parse(req: ImportSignaturesRequest, letter: LetterWithText): ParsedRows {
  if (typeof req.csv === 'string') return parseSignatureCsv(req.csv, letter);
  if (req.rows !== undefined) return parseSignatureJson(req.rows, letter);
  throw new DomainError('VALIDATION_FAILED', 'Send the rows: a CSV file or JSON rows', [{ field: 'rows', code: 'REQUIRED' }]);
}

/** The message of a refused import: the first few problems by line. */
function problemsMessage(problems: RowProblem[]): string {
  const shown = problems.slice(0, 5).map((p) => (p.line ? `line ${p.line}${p.field ? ` (${p.field})` : ''}: ${p.code}` : p.code)).join('; ');
  return `Nothing was imported: ${problems.length} problem${problems.length === 1 ? '' : 's'} (${shown}${problems.length > 5 ? '; …' : ''})`;
}

/** A refusal carrying every problem as a field error `lines.<line>.<column>` (or `file`), with the row's code. */
export class ImportRefused extends DomainError {
  constructor(readonly problems: RowProblem[]) {
    super('IMPORT_ROWS_INVALID', problemsMessage(problems), []);
  }
}

/** How many rows resemble a confirmed signature already on the letter (the names engine, as a confirmation checks). */
async function countResembling(deps: Deps, letterId: string, rows: AddedRow[]): Promise<number> {
  let n = 0;
  for (const r of rows) {
    const keys = blockingKeys(r.name, r.nameAlt);
    const candidates = await deps.store.reviews.candidates(letterId, keys, '', MAX_CANDIDATES);
    if (!candidates.length) continue;
    const mine = preparePerson({ name: r.name, nameAlt: r.nameAlt ?? null });
    if (candidates.some((c) => comparePreparedPeople(mine, preparePerson({ name: c.name, nameAlt: c.nameAlt ?? null })).score >= REVIEW)) n++;
  }
  return n;
}

export async function importSignatures(deps: Deps, slug: string, actor: string | undefined, req: ImportSignaturesRequest): Promise<ImportSignaturesResult> {
  const source = checkSource(req.source);
  const letter = await loadOwnLetter(deps.store, slug, actor, 'owner');
  const parsed = parse(req, letter);
  const rowsHash = toHex(deps.log.crypto.sha256(new TextEncoder().encode(rowsFingerprint(source, parsed.rows))));
  const earlier = parsed.problems.length ? undefined : await deps.store.desk.importByHash(letter.id, rowsHash);
  const repeatOf = earlier && { id: earlier.id, at: earlier.createdAt, by: earlier.addedBy, rows: earlier.rows };
  const sample = parsed.rows.slice(0, IMPORT_SAMPLE);
  if (req.dryRun) {
    const duplicates = parsed.problems.length ? 0 : await countResembling(deps, letter.id, parsed.rows);
    return { dryRun: true, source, count: parsed.rows.length, sample, problems: parsed.problems, duplicates, repeatOf };
  }
  if (parsed.problems.length) throw new ImportRefused(parsed.problems);
  if (earlier) throw new DomainError('ALREADY_IMPORTED', `These rows were imported on this letter already (${earlier.rows} signatures, ${earlier.createdAt})`);

  const result = await deps.store.transaction(async (tx) => {
    const own = await loadOwnLetter(tx, slug, actor, 'owner'); // the role and the letter as they are now
    const now = iso(deps.clock.now());
    const imp: SignatureImport = { id: deps.secrets.newId(), letterId: own.id, rowsHash, source, addedBy: actor ?? 'operator', rows: parsed.rows.length, createdAt: now };
    // The one decision of a race: of concurrent imports of these rows, one inserts; the others add nothing.
    if (!(await tx.desk.insertImport(imp))) throw new DomainError('ALREADY_IMPORTED', 'These rows were imported on this letter already');
    let flagged = 0;
    for (const r of parsed.rows) {
      const sig: Signature = {
        id: deps.secrets.newId(),
        letterId: own.id,
        // Nobody is mailed: no address. The key only keeps each row distinct (one per import and line).
        email: '',
        emailKey: `${source}:${imp.id}:${r.line}`,
        name: r.name,
        nameAlt: r.nameAlt,
        title: r.title,
        country: r.country,
        visibility: r.visibility,
        lang: r.lang,
        consentUpdates: false,
        status: 'confirmed',
        textVersion: own.textVersion,
        mailsSent: 0,
        imported: true,
        createdAt: now,
        updatedAt: now,
        confirmedAt: now,
      };
      if (!(await tx.signatures.insert(sig))) throw new DomainError('ALREADY_IMPORTED', 'These rows were imported on this letter already');
      await tx.desk.addSignatureSource({ signatureId: sig.id, letterId: own.id, source, addedBy: imp.addedBy, importId: imp.id });
      flagged += (await flagDuplicates(tx, deps, sig)).length;
      if (own.state !== 'draft') await logSignature(tx, deps, own, sig, source);
    }
    await recordAudit(tx, deps, own.id, actor, 'import', { source, count: parsed.rows.length, duplicates: flagged, import: imp.id });
    return { letterId: own.id, importId: imp.id, flagged, logged: own.state !== 'draft' };
  });
  deps.signals.letterChanged(result.letterId);
  if (result.logged) deps.signals.logQueued();
  return { dryRun: false, source, count: parsed.rows.length, sample, problems: [], duplicates: result.flagged, importId: result.importId };
}
