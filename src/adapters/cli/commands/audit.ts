/**
 * `undersigned audit BASE_URL`: checks a running instance from the outside, over HTTP only, trusting nothing it
 * serves (docs/transparency-log.md §3, §7.5): the checkpoint's signature and key id, the tree rebuilt from every
 * entry bundle (and every tile compared), consistency with the checkpoint seen last time (a local state file),
 * each letter's count and removals recounted from the entries and compared with the API, each letter's published
 * text hashes, and every public list item's name commitment against its opening. Any mismatch: exit 1.
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIO, Command } from '../types.ts';
import { CliError } from '../types.ts';
import { nodeLogCrypto } from '../../crypto/node-crypto.ts';
import {
  decodeEntry, entriesPath, fromBase64, parseVerifierKey, tilePath, toBase64, verifyCommitment, verifyLog, type LetterTally, type VerifyLogResult,
} from '../../../core/log/index.ts';

const HELP = `Usage: undersigned audit BASE_URL [--letter SLUG] [--json] [--state FILE] [--retries N]

Audits the transparency log of a running Undersigned instance over HTTP, with no trust in it:
  - fetches /log/key and /log/checkpoint; verifies the Ed25519 signature and the key id;
  - downloads every entry bundle, rebuilds the Merkle tree and compares every tile and the root;
  - checks that the log extends the checkpoint seen last time (state kept in
    ~/.undersigned-audit/<origin>.json, or --state FILE) and that the log key did not change;
  - recounts each letter (signatures − withdrawals − removals) and compares the count and the removals per
    reason with GET /api/v1/letters/{slug}; checks that each version's text hash is in the log;
  - checks every public list item (log index, name, opening) against its entry's name commitment.
Exits 0 when everything matches, 1 on any mismatch, 2 on bad usage. The API count may run ahead of the log by
the sequencing delay (about a second): on a count mismatch the audit tries again (--retries, default 3).`;

interface LetterApi {
  slug: string;
  count: number;
  removals?: { withdrawn: number; removed: Record<string, number> };
  versions?: { lang: string; textHash?: string }[];
  log?: { letter: string };
}

interface Problem {
  code: string;
  message: string;
  letter?: string;
  index?: number;
  path?: string;
}

interface AuditState {
  origin: string;
  vkey: string;
  size: number;
  root: string;
  checkpoint: string;
  at: string;
}

async function get(url: string): Promise<Response> {
  let r: Response;
  try {
    r = await fetch(url, { signal: AbortSignal.timeout(30_000), headers: { 'cache-control': 'no-cache' } });
  } catch (e) {
    throw new Error(`GET ${url}: ${(e as Error).message}`);
  }
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return r;
}
const getText = async (url: string) => (await get(url)).text();
const getBytes = async (url: string) => new Uint8Array(await (await get(url)).arrayBuffer());
const getJson = async <T>(url: string) => (await (await get(url)).json()) as T;

function defaultStateFile(origin: string): string {
  return join(homedir(), '.undersigned-audit', origin.replace(/[^A-Za-z0-9._-]+/g, '_') + '.json');
}

function readState(file: string): AuditState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AuditState;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read the audit state ${file}: ${(e as Error).message}`);
  }
}

function writeState(file: string, s: AuditState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file + '.tmp', JSON.stringify(s, null, 2) + '\n');
  renameSync(file + '.tmp', file);
}

function progressBar(io: CliIO) {
  if (!io.isTTY) return undefined;
  let last = -1;
  return ({ entries, total }: { entries: number; total: number }) => {
    const pct = total ? Math.floor((entries / total) * 100) : 100;
    if (pct === last) return;
    last = pct;
    const w = 30;
    const fill = Math.round((pct / 100) * w);
    io.err(`\r[${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${String(pct).padStart(3)}% ${entries}/${total} entries`);
  };
}

interface RunResult {
  problems: Problem[];
  countMismatch: boolean;
  result?: VerifyLogResult;
  origin: string;
  vkey: string;
  letters: { slug: string; count: number; log?: LetterTally; listed: number; erased: number }[];
}

async function auditOnce(base: string, opts: { letter?: string | undefined; stateFile?: string | undefined; io: CliIO }): Promise<RunResult & { stateFile: string }> {
  const problems: Problem[] = [];
  const vkey = (await getText(`${base}/log/key`)).trim();
  let verifier;
  try {
    verifier = parseVerifierKey(nodeLogCrypto, vkey);
  } catch (e) {
    throw new AuditFailure({ code: 'BAD_KEY', message: `the log key ${JSON.stringify(vkey)} is not valid: ${(e as Error).message}` });
  }
  const origin = verifier.name;
  const stateFile = opts.stateFile ?? defaultStateFile(origin);
  const previous = readState(stateFile);
  if (previous && previous.vkey !== vkey) problems.push({ code: 'KEY_CHANGED', message: `the log key changed from ${previous.vkey} to ${vkey}` });

  // The API first, then the checkpoint: the log can only be ahead of what the API said, never behind.
  const slugs = opts.letter ? [opts.letter] : (await getJson<{ letters: { slug: string }[] }>(`${base}/api/v1/letters`)).letters.map((l) => l.slug);
  const api: LetterApi[] = [];
  for (const slug of slugs) api.push(await getJson<LetterApi>(`${base}/api/v1/letters/${encodeURIComponent(slug)}`));
  const checkpoint = await getText(`${base}/log/checkpoint`);

  const reader = {
    readTile: (l: number, i: number, w: number) => getBytes(`${base}/log/${tilePath({ level: l, index: i, width: w })}`),
    readEntryBundle: (i: number, w: number) => getBytes(`${base}/log/${entriesPath(i, w)}`),
  };
  const sigs = new Map<number, { letter: string; name: Uint8Array }>();
  const cancelled = new Set<number>();
  const texts = new Map<string, Set<string>>();
  const bar = progressBar(opts.io);
  let result: VerifyLogResult;
  try {
    result = await verifyLog({
      crypto: nodeLogCrypto,
      reader,
      checkpoint,
      verifiers: [verifier],
      origin,
      previous: previous && previous.vkey === vkey ? { size: previous.size, root: fromBase64(previous.root) } : undefined,
      onProgress: bar,
      onEntry: (e) => {
        let d;
        try {
          d = decodeEntry(e.bytes);
        } catch {
          return; // reported by verifyLog's counter
        }
        if (d.type === 'sig') sigs.set(e.index, { letter: d.letter, name: d.name });
        else if (d.type === 'letter') {
          let s = texts.get(d.letter);
          if (!s) texts.set(d.letter, (s = new Set()));
          s.add(toBase64(d.text));
        } else cancelled.add(d.ref);
      },
    });
  } catch (e) {
    throw new AuditFailure({ code: 'BAD_CHECKPOINT', message: `the checkpoint does not verify: ${(e as Error).message}` });
  } finally {
    if (bar) opts.io.err('\n');
  }
  for (const p of result.problems) problems.push({ code: p.code, message: p.message, ...(p.index !== undefined ? { index: p.index } : {}), ...(p.path ? { path: p.path } : {}) });

  let countMismatch = false;
  const letters: RunResult['letters'] = [];
  for (const l of api) {
    const id = l.log?.letter ?? l.slug;
    const tally = result.letters.find((x) => x.letter === id);
    const logCount = tally?.count ?? 0;
    if (logCount !== l.count) {
      countMismatch = true;
      problems.push({ code: 'COUNT_MISMATCH', letter: l.slug, message: `the API counts ${l.count}, the log ${logCount}` });
    }
    if (l.removals) {
      const want = { withdrawn: tally?.withdrawn ?? 0, ...(tally?.removed ?? { signer: 0, duplicate: 0, fraud: 0, legal: 0 }) };
      const got = { withdrawn: l.removals.withdrawn, ...l.removals.removed };
      for (const [k, v] of Object.entries(want)) {
        if ((got as Record<string, number>)[k] !== v) {
          countMismatch = true;
          problems.push({ code: 'REMOVALS_MISMATCH', letter: l.slug, message: `${k}: the API says ${(got as Record<string, number>)[k]}, the log ${v}` });
        }
      }
    }
    for (const v of l.versions ?? []) {
      if (v.textHash && !texts.get(id)?.has(v.textHash)) problems.push({ code: 'TEXT_NOT_LOGGED', letter: l.slug, message: `the ${v.lang} text served now was never published in the log` });
    }
    // Every public list item against its entry's commitment.
    let listed = 0;
    let erased = 0;
    const seen = new Set<number>();
    for (let page = 1, pages = 1; page <= pages; page++) {
      const list = await getJson<{ pages: number; items: { id: string; name: string; logIndex: number | null; opening: string | null; erased?: boolean }[] }>(
        `${base}/api/v1/letters/${encodeURIComponent(l.slug)}/signatures?page=${page}`,
      );
      pages = list.pages;
      for (const item of list.items) {
        listed++;
        if (item.logIndex === null) {
          countMismatch = true;
          problems.push({ code: 'LIST_NOT_LOGGED', letter: l.slug, message: `list item ${item.id} has no log index yet` });
          continue;
        }
        const e = sigs.get(item.logIndex);
        if (!e || e.letter !== id) {
          problems.push({ code: 'LIST_BAD_INDEX', letter: l.slug, index: item.logIndex, message: `list item ${item.id} points at entry ${item.logIndex}, which is not a signature on this letter` });
          continue;
        }
        if (seen.has(item.logIndex)) problems.push({ code: 'LIST_DUPLICATE_INDEX', letter: l.slug, index: item.logIndex, message: `two list items share entry ${item.logIndex}` });
        seen.add(item.logIndex);
        if (cancelled.has(item.logIndex)) problems.push({ code: 'LIST_CANCELLED', letter: l.slug, index: item.logIndex, message: `list item ${item.id} was withdrawn or removed in the log` });
        if (item.erased || item.opening === null) {
          erased++;
          continue;
        }
        let ok = false;
        try {
          ok = verifyCommitment(nodeLogCrypto, 'name', fromBase64(item.opening), item.name, e.name);
        } catch {
          ok = false;
        }
        if (!ok) problems.push({ code: 'LIST_COMMITMENT_MISMATCH', letter: l.slug, index: item.logIndex, message: `the name of list item ${item.id} does not match the commitment in entry ${item.logIndex}` });
      }
    }
    if (listed > logCount) problems.push({ code: 'LIST_TOO_LONG', letter: l.slug, message: `${listed} names listed, ${logCount} signatures counted` });
    letters.push({ slug: l.slug, count: l.count, ...(tally ? { log: tally } : {}), listed, erased });
  }
  return { problems, countMismatch, result, origin, vkey, letters, stateFile };
}

class AuditFailure extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

export const auditCommand: Command = {
  path: ['audit'],
  summary: 'Audit the transparency log of a running instance (no trust in it)',
  help: HELP,
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { letter: { type: 'string' }, json: { type: 'boolean' }, state: { type: 'string' }, retries: { type: 'string' }, 'data-dir': { type: 'string' } },
      strict: true,
    });
    if (positionals.length !== 1) throw new CliError('give one BASE_URL, e.g. undersigned audit https://letters.example (see --help)');
    let base: string;
    try {
      const u = new URL(positionals[0]!);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
      base = u.toString().replace(/\/+$/, '');
    } catch {
      throw new CliError(`BASE_URL must be an http(s) URL, got "${positionals[0]}"`);
    }
    const retries = values.retries === undefined ? 3 : Number(values.retries);
    if (!Number.isInteger(retries) || retries < 0 || retries > 100) throw new CliError('--retries must be a whole number from 0 to 100');
    const stateFile = values.state ? resolve(ctx.cwd, values.state) : undefined;

    let run: Awaited<ReturnType<typeof auditOnce>> | undefined;
    let fatal: Problem | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        run = await auditOnce(base, { letter: values.letter, stateFile, io: ctx.io });
        fatal = undefined;
      } catch (e) {
        if (e instanceof AuditFailure) fatal = e.problem;
        else fatal = { code: 'UNREACHABLE', message: (e as Error).message };
        run = undefined;
      }
      // Only a count running ahead of the log (or a list item not sequenced yet) is worth another look.
      const onlyLag = run && run.countMismatch && run.problems.every((p) => ['COUNT_MISMATCH', 'REMOVALS_MISMATCH', 'LIST_NOT_LOGGED'].includes(p.code));
      if (!onlyLag || attempt === retries) break;
      await new Promise((r) => setTimeout(r, 1500));
    }
    const problems = fatal ? [fatal] : run!.problems;
    const ok = problems.length === 0;
    if (ok && run?.result) {
      writeState(run.stateFile, { origin: run.origin, vkey: run.vkey, size: run.result.checkpoint.size, root: toBase64(run.result.checkpoint.root), checkpoint: run.result.note.text, at: new Date().toISOString() });
    }
    if (values.json) {
      ctx.io.out(
        JSON.stringify({
          ok,
          base,
          origin: run?.origin,
          key: run?.vkey,
          checkpoint: run?.result ? { size: run.result.checkpoint.size, root: toBase64(run.result.checkpoint.root) } : undefined,
          entries: run?.result?.entries,
          tilesChecked: run?.result?.tilesChecked,
          letters: run?.letters.map((l) => ({ slug: l.slug, apiCount: l.count, logCount: l.log?.count ?? 0, signatures: l.log?.signatures ?? 0, withdrawn: l.log?.withdrawn ?? 0, removed: l.log?.removed, listChecked: l.listed, erased: l.erased })),
          problems,
        }) + '\n',
      );
    } else {
      if (run?.result) {
        ctx.io.out(`Log ${run.origin}: ${run.result.checkpoint.size} entries, root ${toBase64(run.result.checkpoint.root)}\n`);
        ctx.io.out(`Checked: checkpoint signature (key ${run.vkey.split('+')[1]}), ${run.result.entries} entries, ${run.result.tilesChecked} tiles\n`);
        for (const l of run.letters) {
          ctx.io.out(`  ${l.slug}: API ${l.count}, log ${l.log?.count ?? 0} (${l.log?.signatures ?? 0} signed, ${l.log?.withdrawn ?? 0} withdrawn, removed ${JSON.stringify(l.log?.removed ?? {})}); ${l.listed} list items checked, ${l.erased} erased\n`);
        }
      }
      if (ok) ctx.io.out('OK: the log verifies and matches what the site shows.\n');
      else {
        ctx.io.out(`FAILED: ${problems.length} problem(s)\n`);
        for (const p of problems) ctx.io.out(`  ${p.code}${p.letter ? ` [${p.letter}]` : ''}${p.path ? ` ${p.path}` : ''}${p.index !== undefined ? ` #${p.index}` : ''}: ${p.message}\n`);
      }
    }
    return ok ? 0 : 1;
  },
};
