/**
 * `undersigned import FILE [--dry-run] [--json]`: reads a plain-text letter, reports its languages,
 * signatory lists, duplicates, cross-language pairs and the claimed count against the distinct people.
 * Without --dry-run it hands the result to the app's importLetter use-case to create a draft letter.
 */
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { importLetter } from '../../../use-cases/import-letter.ts';
import {
  analyseImport,
  parseLetterText,
  toImportLetterInput,
  type ImportAnalysis,
} from '../../../core/import/index.ts';
import { DomainError } from '../../../core/errors.ts';
import { CliError, type CliContext, type Command } from '../types.ts';
import { describeFields } from './describe.ts';
import { guarded, progressReporter, readTextFile } from './names.ts';

const HELP = `Usage: undersigned import FILE [--dry-run] [--json] [--slug SLUG] [--organiser EMAIL] [--publish]
                         [--addressee NAME] [--addressee-title TITLE]

Reads an existing open letter from a plain-text FILE (UTF-8): one block per language (found by script),
with title, salutation, body, date and a signatory list (one name per line). Reports the lines listed per
language, duplicate names, the pairs across languages (one person in two scripts), names without a
counterpart, and whether the count the text claims matches the distinct people.

Without --dry-run, creates a draft letter with the versions and each person once (both names kept),
marked "imported, not verified by email". The salutation, body and date stay the letter's text; the addressee
is taken from the salutation (one line; left empty with a warning when none is found); a version without a
heading takes its title from its text (with a warning to check it).

Options:
  --dry-run   analyse only; change nothing
  --slug      address of the draft letter (default: imported-<file name>)
  --organiser the letter's owner (an email address); without it, only the operator (this CLI) manages it
  --publish   publish the letter once its signatories are in
  --addressee the addressee's name (default: taken from the salutation)
  --json      print the analysis as JSON:
              {"languages","claimedCount","listed","distinct","duplicates","pairs","unpaired","lowConfidence","warnings"}
  --help      show this help

Exit codes: 0 done, 1 import not possible, 2 bad input (missing or empty file, wrong arguments).
`;

function publicJson(a: ImportAnalysis) {
  // `people` is the draft's input, not part of the report
  const { people: _people, ...rest } = a;
  return rest;
}

function humanReport(file: string, a: ImportAnalysis): string {
  const out: string[] = [];
  out.push(`Import of ${file}`);
  out.push(`  languages:      ${a.languages.join(', ') || '(none)'}`);
  out.push(`  listed:         ${a.languages.map((l) => `${l} ${a.listed[l]}`).join(', ')}`);
  out.push(`  distinct:       ${a.distinct}`);
  out.push(`  claimed count:  ${a.claimedCount ?? '(not stated)'}`);
  for (const l of a.languages) {
    const d = a.duplicates[l] ?? [];
    if (!d.length) continue;
    out.push('', `Duplicates in ${l}:`);
    for (const g of d) out.push(`  ${g.join('  =  ')}`);
  }
  if (a.pairs.length) {
    out.push('', `Pairs (${a.pairs.length}):`);
    for (const p of a.pairs) out.push(`  ${p.map((x) => x ?? '—').join('  ↔  ')}`);
  }
  for (const l of a.languages) {
    const u = a.unpaired[l] ?? [];
    if (!u.length) continue;
    out.push('', `Without a counterpart in ${l}:`);
    for (const n of u) out.push(`  ${n}`);
  }
  if (a.lowConfidence.length) {
    out.push('', 'Pairs to check:');
    for (const p of a.lowConfidence) out.push(`  ${p.score.toFixed(2)}  ${p.names.filter(Boolean).join('  ↔  ')}`);
  }
  if (a.warnings.length) {
    out.push('', 'Warnings:');
    for (const w of a.warnings) out.push(`  - ${w}`);
  }
  return out.join('\n') + '\n';
}

export const importCommand: Command = {
  path: ['import'],
  summary: 'Import an existing letter from plain text (check lists, duplicates, claimed count)',
  help: HELP,
  async run(args: string[], ctx: CliContext): Promise<number> {
    return guarded(ctx.io, HELP, async () => {
      const { values, positionals } = parseArgs({
        args,
        options: {
          'dry-run': { type: 'boolean', default: false },
          slug: { type: 'string' },
          addressee: { type: 'string' },
          organiser: { type: 'string' },
          publish: { type: 'boolean', default: false },
          'addressee-title': { type: 'string' },
          'data-dir': { type: 'string' },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', default: false },
        },
        allowPositionals: true,
      });
      if (values.help) {
        ctx.io.out(HELP);
        return 0;
      }
      if (positionals.length !== 1) throw new CliError(`import needs exactly one file.\n\n${HELP}`);
      const file = positionals[0]!;
      const text = await readTextFile(ctx.cwd, file);
      const lineCount = text.split('\n').length;
      const onProgress = progressReporter(ctx.io, lineCount);
      const parsed = parseLetterText(text, { onProgress });
      if (parsed.versions.every((v) => v.signatories.length === 0)) {
        throw new CliError(`${file}: no signatory list found (expected one name per line, at least 3 lines).`);
      }
      const analysis = analyseImport(parsed, { onProgress });
      if (onProgress) ctx.io.err('\n');

      if (values['dry-run']) {
        ctx.io.out(values.json ? JSON.stringify(publicJson(analysis)) + '\n' : humanReport(file, analysis));
        return 0;
      }

      const app = await ctx.app();
      const slug = values.slug ?? `imported-${basename(file).replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'letter'}`;
      const input = toImportLetterInput(parsed, analysis);
      const result = await importLetter(app.services.deps, input, {
        slug,
        addressee: values.addressee ? { name: values.addressee, title: values['addressee-title'] } : undefined,
        organiser: values.organiser,
        publish: values.publish,
        onProgress: ctx.io.isTTY ? (done, total) => ctx.io.err(`\rimporting signatories ${done}/${total}`) : undefined,
      }).catch((e: unknown) => {
        // The refusal names each field and why (docs/errors.md); exit code 1: the text cannot become a letter as is.
        if (e instanceof DomainError) throw new CliError(`${file}: ${e.code}: ${e.message}${describeFields(e)}`, 1);
        throw e;
      });
      analysis.warnings = input.warnings;
      if (ctx.io.isTTY) ctx.io.err('\n');
      if (values.json) ctx.io.out(JSON.stringify({ ...publicJson(analysis), draft: result }) + '\n');
      else {
        ctx.io.out(humanReport(file, analysis));
        ctx.io.out(`\n${result.state === 'draft' ? 'Draft letter' : 'Letter'} created (${result.state}): ${result.slug} with ${result.people} signatories\n${Object.entries(result.urls).map(([l, u]) => `  ${l}: ${u}`).join('\n')}\n`);
        ctx.io.out('Imported signatories are marked "imported, not verified by email".\n');
      }
      return 0;
    });
  },
};
