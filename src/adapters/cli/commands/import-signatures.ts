/**
 * `undersigned letter import-signatures SLUG FILE.csv --source paper|imported [--by EMAIL] [--dry-run] [--json]`:
 * paper (or imported) signatures from a CSV file, checked row by row; nothing is added unless every row passes.
 */
import { parseArgs } from 'node:util';
import { DomainError } from '../../../core/errors.ts';
import type { RowProblem } from '../../../core/organisers/signature-rows.ts';
import { ImportRefused, importSignatures } from '../../../use-cases/import-signatures.ts';
import { CliError, type Command } from '../types.ts';
import { readTextFile } from './names.ts';

const HELP = `Usage: undersigned letter import-signatures SLUG FILE.csv --source paper|imported [--by EMAIL] [--dry-run] [--json]

Adds the signatories of paper sheets (--source paper) or of a list gathered elsewhere (--source imported) to a
letter. FILE.csv is UTF-8; its first line names the columns: name (required), nameAlt, title, country, lang,
visibility (public|hidden). Names are kept exactly as typed. Every row is checked first: one bad row and nothing is
added (each problem printed as FILE:LINE: column CODE). The same rows cannot be added twice to a letter.
Each signature is confirmed, marked with its source and who added it (--by: an owner of the letter; else the
operator), written to the audit trail and, once the letter is published, to the transparency log with its source.
Rows that resemble signatures already on the letter wait in the review queue.
--dry-run checks and counts only. Exit codes: 0 done, 1 refused (the code says why), 2 bad arguments.`;

function problemLines(file: string, problems: RowProblem[]): string {
  return problems.map((p) => `${file}:${p.line}: ${p.field ? `${p.field} ` : ''}${p.code}${p.limit !== undefined ? ` (${p.limit})` : ''}`).join('\n') + '\n';
}

export const importSignaturesCommand: Command = {
  path: ['letter', 'import-signatures'],
  summary: 'Add paper or imported signatures to a letter from a CSV file',
  help: HELP,
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      options: { source: { type: 'string' }, by: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 2) throw new CliError(`expected SLUG and FILE.csv.\n\n${HELP}`);
    if (values.source !== 'paper' && values.source !== 'imported') throw new CliError(`--source is paper or imported.\n\n${HELP}`);
    const [slug, file] = positionals as [string, string];
    const csv = await readTextFile(ctx.cwd, file);
    const app = await ctx.app();
    const by = values.by?.trim().toLowerCase() || undefined;
    let r: Awaited<ReturnType<typeof importSignatures>>;
    try {
      r = await importSignatures(app.services.deps, slug, by, { source: values.source, csv, dryRun: values['dry-run'] === true });
    } catch (e) {
      if (e instanceof ImportRefused) {
        if (values.json) ctx.io.out(JSON.stringify({ error: { code: e.code, message: e.message, problems: e.problems } }) + '\n');
        throw new CliError(`${file}: ${e.code}: nothing was added.\n${problemLines(file, e.problems)}`.trimEnd(), 1);
      }
      if (e instanceof DomainError) throw new CliError(`${file}: ${e.code}: ${e.message}`, 1);
      throw e;
    }
    if (!r.dryRun) await app.drainLog();
    if (values.json) ctx.io.out(JSON.stringify(r) + '\n');
    else if (r.dryRun) {
      ctx.io.out(r.problems.length
        ? `${file}: nothing can be added until these are fixed:\n${problemLines(file, r.problems)}`
        : `${file}: ${r.count} signatures would be added to ${slug} (source ${r.source}); ${r.duplicates} resemble signatures already on it.\n${r.repeatOf ? `These rows were added already (${r.repeatOf.at}, by ${r.repeatOf.by}): adding them again is refused.\n` : ''}`);
    } else ctx.io.out(`${r.count} signatures added to ${slug} (source ${r.source}, by ${by ?? 'operator'}); ${r.duplicates} possible duplicates wait in the review queue.\n`);
    return r.dryRun && r.problems.length ? 1 : 0;
  },
};
