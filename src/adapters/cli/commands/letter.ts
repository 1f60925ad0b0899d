import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../types.ts';
import { CliError } from '../types.ts';
import { DomainError } from '../../../core/errors.ts';
import { createLetter } from '../../../use-cases/create-letter.ts';
import { deliverLetter } from '../../../use-cases/deliver-letter.ts';

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
   "targets": [{"name": "…", "title": "…", "email": "office@example.org", "lang": "en"}],
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

export const letterTargets: Command = {
  path: ['letter', 'targets'],
  summary: "List a letter's targets (its addressees with an email) and their last delivery",
  help: `Usage: undersigned letter targets SLUG [--json] [--data-dir DIR]

Targets are set in letter.json: "targets": [{"name": "…", "title": "…", "email": "…", "lang": "fa"}].`,
  async run(args, ctx) {
    const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, allowPositionals: true, strict: true });
    const slug = positionals[0];
    if (!slug) throw new CliError('SLUG is required (see --help)');
    const app = await ctx.app();
    const store = app.services.deps.store;
    const letter = await store.letters.bySlug(slug);
    if (!letter) throw new CliError(`LETTER_NOT_FOUND: no letter at /${slug}`, 1);
    const targets = await store.deliveries.targets(letter.id);
    const latest = new Map<string, { status: string; at: string; error?: string | undefined }>();
    for (const d of await store.deliveries.byLetter(letter.id)) if (!latest.has(d.targetId)) latest.set(d.targetId, { status: d.status, at: d.sentAt ?? d.updatedAt, error: d.error });
    const rows = targets.map((t) => ({ id: t.id, name: t.name, title: t.title ?? null, email: t.email, lang: t.lang, lastDelivery: latest.get(t.id) ?? null }));
    if (values.json) ctx.io.out(JSON.stringify({ slug, targets: rows }) + '\n');
    else if (!rows.length) ctx.io.out(`${slug} has no targets.\n`);
    else for (const r of rows) ctx.io.out(`${r.id}  ${r.name} <${r.email}> (${r.lang})  ${r.lastDelivery ? `${r.lastDelivery.status} ${r.lastDelivery.at}${r.lastDelivery.error ? ` (${r.lastDelivery.error})` : ''}` : 'not delivered'}\n`);
    return 0;
  },
};

export const letterDeliver: Command = {
  path: ['letter', 'deliver'],
  summary: "Mail the letter's PDF to its targets (through the outbox; logged with the PDF's SHA-256)",
  help: `Usage: undersigned letter deliver SLUG [--target ID] [--json] [--data-dir DIR]

Draws the letter's PDF (every version, as /letters/SLUG.pdf), queues a mail with it to each target (or the one
--target names: ids from \`undersigned letter targets SLUG\`) in the target's language, records a delivery per target
and a \`delivery\` entry in the transparency log (the PDF's SHA-256 and the tree size it shows), then sends the
mail that is due and prints each target's status. Delivering again is a new delivery.`,
  async run(args, ctx) {
    const { values, positionals } = parseArgs({ args, options: { target: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, allowPositionals: true, strict: true });
    const slug = positionals[0];
    if (!slug) throw new CliError('SLUG is required (see --help)');
    const app = await ctx.app();
    let result: Awaited<ReturnType<typeof deliverLetter>>;
    try {
      result = await deliverLetter(app.services.deps, app.services.documents, slug, { targetId: values.target });
    } catch (e) {
      if (e instanceof DomainError) throw new CliError(`${e.code}: ${e.message}`, 1);
      throw e;
    }
    await app.deliverMail();
    await app.drainLog();
    const store = app.services.deps.store;
    const targets = new Map((await store.deliveries.targets(result.deliveries[0]!.letterId)).map((t) => [t.id, t]));
    const now = new Map((await store.deliveries.byLetter(result.deliveries[0]!.letterId)).filter((d) => d.run === result.run).map((d) => [d.id, d]));
    const rows = result.deliveries.map((d) => {
      const x = now.get(d.id) ?? d;
      return { target: d.targetId, name: targets.get(d.targetId)?.name ?? '', status: x.status, error: x.error ?? null, sentAt: x.sentAt ?? null };
    });
    if (values.json) ctx.io.out(JSON.stringify({ slug, pdfSha256: result.pdfSha256, treeSize: result.treeSize, deliveries: rows }) + '\n');
    else {
      ctx.io.out(`${slug}: PDF sha256 ${result.pdfSha256}, tree size ${result.treeSize}\n`);
      for (const r of rows) ctx.io.out(`  ${r.target}  ${r.name}: ${r.status}${r.error ? ` (${r.error})` : ''}\n`);
    }
    return rows.some((r) => r.status === 'failed') ? 1 : 0;
  },
};
