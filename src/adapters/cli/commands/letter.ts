import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../types.ts';
import { CliError } from '../types.ts';
import { DomainError } from '../../../core/errors.ts';
import { createLetter } from '../../../use-cases/create-letter.ts';

function describeFields(e: DomainError): string {
  return e.fields.map((f) => `  ${f.field}: ${f.code}${f.limit ? ` (limit ${f.limit})` : ''}`).join('\n');
}

export const letterCreate: Command = {
  path: ['letter', 'create'],
  summary: 'Create a letter from a JSON file',
  help: `Usage: undersigned letter create --file letter.json [--publish] [--json] [--data-dir DIR]

letter.json:
  {"slug": "x", "addressee": {"name": "…", "title": "…"}, "defaultLang": "fa", "goal": 1000,
   "organisers": ["a@example.org"],
   "versions": [{"lang": "fa", "title": "…", "body": "Markdown…", "statement": "…"}, {"lang": "en", …}]}
Prints the slug and the page URL of each language (--json: {"slug","state","urls":{lang:url}}).`,
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: { file: { type: 'string' }, publish: { type: 'boolean' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, strict: true });
    if (!values.file) throw new CliError('--file is required (see --help)');
    let input: unknown;
    try {
      input = JSON.parse(readFileSync(resolve(ctx.cwd, values.file), 'utf8'));
    } catch (e) {
      throw new CliError(`cannot read ${values.file}: ${e instanceof SyntaxError ? 'not valid JSON: ' + e.message : (e as Error).message}`);
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new CliError(`${values.file} must hold a JSON object`);
    const app = await ctx.app();
    try {
      const letter = await createLetter(app.services.deps, input as Record<string, unknown>, { publish: values.publish });
      const urls = Object.fromEntries(letter.versions.map((v) => [v.lang, `${app.config.baseUrl}/${v.lang}/letters/${letter.slug}`]));
      if (values.json) ctx.io.out(JSON.stringify({ slug: letter.slug, state: letter.state, urls }) + '\n');
      else ctx.io.out(`${letter.slug} (${letter.state})\n${Object.entries(urls).map(([l, u]) => `  ${l}: ${u}`).join('\n')}\n`);
      return 0;
    } catch (e) {
      if (e instanceof DomainError) throw new CliError(`${values.file}: ${e.code}: ${e.message}${e.fields.length ? '\n' + describeFields(e) : ''}`);
      throw e;
    }
  },
};

export const letterList: Command = {
  path: ['letter', 'list'],
  summary: 'List letters with their state and count',
  help: `Usage: undersigned letter list [--json] [--data-dir DIR]`,
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, strict: true });
    const app = await ctx.app();
    const { store } = app.services.deps;
    const letters = await store.letters.list();
    const rows = await Promise.all(
      letters.map(async (l) => ({ slug: l.slug, state: l.state, defaultLang: l.defaultLang, count: await store.signatures.countConfirmed(l.id), createdAt: l.createdAt, url: `${app.config.baseUrl}/${l.defaultLang}/letters/${l.slug}` })),
    );
    if (values.json) ctx.io.out(JSON.stringify({ letters: rows }) + '\n');
    else if (!rows.length) ctx.io.out('No letters yet. Create one with `undersigned letter create --file letter.json`.\n');
    else ctx.io.out(rows.map((r) => `${r.slug}\t${r.state}\t${r.count}\t${r.url}`).join('\n') + '\n');
    return 0;
  },
};
