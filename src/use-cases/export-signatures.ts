/**
 * Exports a letter's signatures as the organisers' table selects them. An export is an organiser action: it goes into
 * the audit trail (who, when, how many rows, whether with addresses); addresses are for owners only.
 */
import type { SignatureFilter } from '../core/organisers/signature-filter.ts';
import type { Deps } from './deps.ts';
import { checkEmailsAllowed, selectSignatures, toRow, type OrganiserSignatureRow } from './reads/organiser-signatures.ts';
import { filterDetail, recordAudit } from './steps/audit.ts';

export async function exportSignatures(
  deps: Deps, slug: string, actor: string | undefined, filter: SignatureFilter, opts: { emails: boolean; format: 'csv' | 'json'; via: 'web' | 'api' | 'cli' },
): Promise<{ rows: OrganiserSignatureRow[]; slug: string; owner: boolean }> {
  return deps.store.transaction(async (tx) => {
    const sel = await selectSignatures(tx, slug, actor, filter);
    checkEmailsAllowed(sel.role, opts.emails);
    const rows = sel.matching.map((s) => toRow(s, sel.held, opts.emails, sel.checked, sel.sources, { refused: sel.refused, owner: sel.role === 'owner' }));
    await recordAudit(tx, deps, sel.letter.id, actor, 'export', {
      rows: rows.length, emails: opts.emails, format: opts.format, via: opts.via, ...filterDetail(filter),
    });
    return { rows, slug: sel.letter.slug, owner: sel.role === 'owner' };
  });
}
