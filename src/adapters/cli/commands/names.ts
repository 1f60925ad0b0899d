/**
 * `undersigned names pair A.txt B.txt` and `undersigned names dedupe FILE.tsv`: adapters over the pure
 * names engine (src/core/names). They read files, call the engine and print; bad input is a clear message
 * and exit code 2, never a stack trace.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { clusterPeople, pairLists, type Person, type Progress } from '../../../core/names/index.ts';
import { CliError, type CliContext, type CliIO, type Command } from '../types.ts';

/** Reads a UTF-8 text file; every failure becomes a CliError with a message a person can act on. */
export async function readTextFile(cwd: string, path: string): Promise<string> {
  const full = resolve(cwd, path);
  let bytes: Buffer;
  try {
    bytes = await readFile(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`File not found: ${path}`);
    if (code === 'EISDIR') throw new CliError(`${path} is a directory, not a file.`);
    if (code === 'EACCES') throw new CliError(`Permission denied reading ${path}.`);
    throw new CliError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${path} is not UTF-8 text.`);
  }
  text = text.replace(/^\uFEFF/, '');
  if (!text.trim()) throw new CliError(`${path} is empty.`);
  return text;
}

/** Progress on stderr, only on a terminal and only for large inputs (pipes and tests stay clean). */
export function progressReporter(io: CliIO, size: number, threshold = 2000): Progress | undefined {
  if (!io.isTTY || size < threshold) return undefined;
  let lastPct = -1;
  let lastPhase = '';
  return (done, total, phase) => {
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    if (pct === lastPct && phase === lastPhase) return;
    lastPct = pct;
    lastPhase = phase;
    io.err(`\r${phase}: ${pct}%   `);
  };
}

/** Runs a command body, turning CliErrors and flag errors into a message and an exit code. */
export async function guarded(io: CliIO, help: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`${e.message}\n`);
      return e.exitCode;
    }
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(e as Error).message}\n\n${help}`);
      return 2;
    }
    throw e;
  }
}

function lines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

const PAIR_HELP = `Usage: undersigned names pair A.txt B.txt [--json]

Pairs two lists of names (one name per line, any scripts) one-to-one, for example the Persian and the
English signatory lists of one letter. Names judged to be one person within a list are grouped first, so
each person is paired once.

Options:
  --json    print {"pairs":[{"a","b","score"}],"unpaired":{"a":[],"b":[]},"duplicates":{"a":[[…]],"b":[[…]]}}
  --help    show this help

Exit codes: 0 done, 2 bad input (missing or empty file, wrong arguments).
`;

export const namesPairCommand: Command = {
  path: ['names', 'pair'],
  summary: 'Pair two lists of names across scripts and spellings',
  help: PAIR_HELP,
  async run(args: string[], ctx: CliContext): Promise<number> {
    return guarded(ctx.io, PAIR_HELP, async () => {
      const { values, positionals } = parseArgs({
        args,
        options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
        allowPositionals: true,
      });
      if (values.help) {
        ctx.io.out(PAIR_HELP);
        return 0;
      }
      if (positionals.length !== 2) throw new CliError(`names pair needs exactly two files.\n\n${PAIR_HELP}`);
      const [fa, fb] = positionals as [string, string];
      const a = lines(await readTextFile(ctx.cwd, fa));
      const b = lines(await readTextFile(ctx.cwd, fb));
      const onProgress = progressReporter(ctx.io, a.length + b.length);
      const res = pairLists(a, b, { onProgress });
      if (onProgress) ctx.io.err('\n');
      const round = (x: number) => Math.round(x * 1000) / 1000;
      const out = {
        pairs: res.pairs.map((p) => ({ a: a[p.a]!, b: b[p.b]!, score: round(p.score) })),
        unpaired: { a: res.unpairedA.map((i) => a[i]!), b: res.unpairedB.map((i) => b[i]!) },
        duplicates: {
          a: res.duplicatesA.map((g) => g.map((i) => a[i]!)),
          b: res.duplicatesB.map((g) => g.map((i) => b[i]!)),
        },
      };
      if (values.json) {
        ctx.io.out(JSON.stringify(out) + '\n');
        return 0;
      }
      const low = new Set(res.pairs.filter((p) => p.lowConfidence).map((p) => `${p.a},${p.b}`));
      const w = ctx.io;
      w.out(`${a.length} names in ${fa}, ${b.length} in ${fb}: ${res.pairs.length} pairs.\n\n`);
      for (const p of res.pairs) {
        const flag = low.has(`${p.a},${p.b}`) ? '  ← check' : '';
        w.out(`  ${p.score.toFixed(2)}  ${a[p.a]}  ↔  ${b[p.b]}${flag}\n`);
      }
      const section = (title: string, items: string[]) => {
        if (items.length === 0) return;
        w.out(`\n${title}:\n`);
        for (const it of items) w.out(`  ${it}\n`);
      };
      section(`Without a partner in ${fb}`, out.unpaired.a);
      section(`Without a partner in ${fa}`, out.unpaired.b);
      section(`Duplicates in ${fa}`, out.duplicates.a.map((g) => g.join('  =  ')));
      section(`Duplicates in ${fb}`, out.duplicates.b.map((g) => g.join('  =  ')));
      return 0;
    });
  },
};

const DEDUPE_HELP = `Usage: undersigned names dedupe FILE.tsv [--json]

Finds rows that are the same person. FILE.tsv is tab-separated with the header "name<TAB>name_alt";
name_alt (the name in a second script) may be empty. Blank lines are skipped.

Options:
  --json    print {"clusters":[[0,4,7],[1],…]}: row indices from 0 (header excluded); every row is in
            exactly one cluster; rows in one cluster are judged the same person ("likely duplicate")
  --help    show this help

Exit codes: 0 done, 2 bad input (missing or empty file, wrong header).
`;

/** Parses the dedupe TSV; exported for tests. */
export function parseNamesTsv(text: string, path = 'input'): Person[] {
  const all = text.split(/\r\n|\r|\n/);
  const header = (all[0] ?? '').replace(/^\uFEFF/, '').split('\t').map((h) => h.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== 'name' || header[1] !== 'name_alt') {
    throw new CliError(`${path}: the first line must be the header "name<TAB>name_alt" (tab-separated).`);
  }
  const people: Person[] = [];
  for (let i = 1; i < all.length; i++) {
    const line = all[i]!;
    if (!line.trim()) continue;
    const cells = line.split('\t');
    if (cells.length > 2) throw new CliError(`${path}, line ${i + 1}: expected 2 tab-separated columns, found ${cells.length}.`);
    const name = (cells[0] ?? '').trim();
    const alt = (cells[1] ?? '').trim();
    if (!name && !alt) throw new CliError(`${path}, line ${i + 1}: the name is empty.`);
    people.push(name ? { name, nameAlt: alt || null } : { name: alt, nameAlt: null });
  }
  if (people.length === 0) throw new CliError(`${path} has a header but no rows.`);
  return people;
}

export const namesDedupeCommand: Command = {
  path: ['names', 'dedupe'],
  summary: 'Find rows of a name list that are the same person',
  help: DEDUPE_HELP,
  async run(args: string[], ctx: CliContext): Promise<number> {
    return guarded(ctx.io, DEDUPE_HELP, async () => {
      const { values, positionals } = parseArgs({
        args,
        options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
        allowPositionals: true,
      });
      if (values.help) {
        ctx.io.out(DEDUPE_HELP);
        return 0;
      }
      if (positionals.length !== 1) throw new CliError(`names dedupe needs exactly one file.\n\n${DEDUPE_HELP}`);
      const path = positionals[0]!;
      const people = parseNamesTsv(await readTextFile(ctx.cwd, path), path);
      const onProgress = progressReporter(ctx.io, people.length);
      const clusters = clusterPeople(people, { onProgress });
      if (onProgress) ctx.io.err('\n');
      if (values.json) {
        ctx.io.out(JSON.stringify({ clusters }) + '\n');
        return 0;
      }
      const dups = clusters.filter((c) => c.length > 1);
      ctx.io.out(`${people.length} rows, ${clusters.length} distinct people, ${dups.length} duplicate group(s).\n`);
      const show = (p: Person) => (p.nameAlt ? `${p.name} / ${p.nameAlt}` : p.name);
      for (const g of dups) {
        ctx.io.out('\n');
        for (const i of g) ctx.io.out(`  row ${i}: ${show(people[i]!)}\n`);
      }
      return 0;
    });
  },
};

export const namesCommands: Command[] = [namesPairCommand, namesDedupeCommand];
