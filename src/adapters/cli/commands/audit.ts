/**
 * `undersigned audit BASE_URL`: checks a running instance from the outside, over HTTP only, trusting nothing it
 * serves (docs/transparency-log.md §3, §7.5): the checkpoint's signature and key id, the tree rebuilt from every
 * entry bundle (and every tile compared), consistency with the checkpoint seen last time (a local state file),
 * each letter's count and removals recounted from the entries and compared with the API, each letter's published
 * text hashes, every public name (from the openings export, one request per bundle) against its commitment, the
 * public total of each letter against the names exported, and a sample of the public list's pages (all of them on
 * request) item by item. Any mismatch: exit 1.
 *
 * Cost at a million entries: three requests per bundle (entries, level-0 tile, openings), several in flight on
 * keep-alive connections; per entry one SHA-256 (leaf) and about one more for the tree, per public name one HMAC —
 * the openings are downloaded and checked in a worker thread (../audit/openings-worker.ts) while this thread hashes
 * and counts. Per-index facts live in typed arrays (no object per entry).
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIO, Command } from '../types.ts';
import { CliError } from '../types.ts';
import { HttpGet } from '../http-get.ts';
import { auditCrypto } from '../audit/crypto.ts';
import type { AuditProblem, BundleSigs, OpeningsResult } from '../audit/openings.ts';
import { OpeningsChecker } from '../audit/openings-worker.ts';
import {
  entriesPath, fromBase64, openCheckpoint, parseVerifierKey, tilePath, toBase64, verifyCommitment, verifyLog, LetterCounter, TILE_WIDTH,
  type CountWarning, type IndexedEntry, type LetterTally, type VerifyLogResult,
} from '../../../core/log/index.ts';

const HELP = `Usage: undersigned audit BASE_URL [--letter SLUG] [--json] [--state FILE] [--retries N] [--list-pages N|all]

Audits the transparency log of a running Undersigned instance over HTTP, with no trust in it:
  - fetches /log/key and /log/checkpoint; verifies the Ed25519 signature and the key id;
  - downloads every entry bundle, rebuilds the Merkle tree and compares every tile and the root;
  - checks that the log extends the checkpoint seen last time (state kept in
    ~/.undersigned-audit/<origin>.json, or --state FILE) and that the log key did not change;
  - recounts each letter (signatures − withdrawals − removals) and compares the count and the removals per
    reason with GET /api/v1/letters/{slug}; checks that each version's text hash is in the log;
  - checks every public name of the openings export (/log/openings/<N>, one per entry bundle) against its
    entry's name commitment, and that the export holds exactly as many public names as the list's total;
  - checks the public list's items, page by page, against the log: all pages when there are at most
    --list-pages of them (default 16), otherwise the first, the last and randomly chosen others; --list-pages all
    checks every page.
Exits 0 when everything matches, 1 on any mismatch, 2 on bad usage. Duplicate entries (a signature written or
cancelled twice by the server) are counted once and listed as warnings; they alone do not fail the audit. The API
count and a just-published text may run ahead of the log by the sequencing delay (about a second): on such a
mismatch the audit tries again (--retries, default 3).`;

interface LetterApi {
  slug: string;
  count: number;
  removals?: { withdrawn: number; removed: Record<string, number> };
  /** The count by source (email, paper, imported): the log's `sig` entries name paper and imported. */
  counts?: { email: number; paper: number; imported: number };
  versions?: { lang: string; textHash?: string }[];
  log?: { letter: string };
}

interface ListItem {
  id: string;
  name: string;
  logIndex: number | null;
  opening: string | null;
  erased?: boolean;
}

interface ListPage {
  pages: number;
  total: number;
  items: ListItem[];
}

type Problem = AuditProblem;

interface AuditState {
  origin: string;
  vkey: string;
  size: number;
  root: string;
  checkpoint: string;
  at: string;
}

/** Problems that a site running a second or two ahead of its log can show; only these are worth another look. */
const LAG_CODES = new Set(['COUNT_MISMATCH', 'REMOVALS_MISMATCH', 'SOURCES_MISMATCH', 'LIST_NOT_LOGGED', 'PUBLIC_TOTAL_MISMATCH', 'LIST_NOT_EXPORTED', 'LIST_EXPORT_MISMATCH', 'TEXT_NOT_LOGGED']);

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

interface LetterResult {
  slug: string;
  count: number;
  log?: LetterTally;
  /** Public list items checked one by one (the pages sampled, or all). */
  listed: number;
  listPages: { checked: number; of: number };
  /** The list's public total (names and erased items). */
  publicTotal?: number;
  /** Public names of the export checked against their commitments, and erased public items it lists. */
  names: number;
  erased: number;
}

interface RunResult {
  problems: Problem[];
  /** Duplicate entries, counted once (docs/transparency-log.md §7.8): reported, the audit still passes. */
  warnings: CountWarning[];
  countMismatch: boolean;
  result?: VerifyLogResult;
  origin: string;
  vkey: string;
  letters: LetterResult[];
  /** Where the public names were checked: a worker thread, or this one when no worker could start. */
  namesThread: 'worker' | 'thread';
}

// Per log index facts, in typed arrays (a million entries: a few MB, and 32 MB of name commitments).
const SIG = 1;
const CANCELLED = 2;
const EXPORTED = 4;
const EXPORTED_ERASED = 8;

class IndexFacts {
  flags = new Uint8Array(0);
  letterOf = new Uint32Array(0);
  names = new Uint8Array(0);
  letters: string[] = [];
  letterIdx = new Map<string, number>();
  /** Per letter index: names exported (and verified), erased items exported. */
  exportedNames: number[] = [];
  exportedErased: number[] = [];

  ensure(n: number): void {
    if (n <= this.flags.length) return;
    let cap = Math.max(1024, this.flags.length);
    while (cap < n) cap *= 2;
    const f = new Uint8Array(cap);
    f.set(this.flags);
    this.flags = f;
    const l = new Uint32Array(cap);
    l.set(this.letterOf);
    this.letterOf = l;
    const h = new Uint8Array(cap * 32);
    h.set(this.names);
    this.names = h;
  }

  letter(id: string): number {
    let i = this.letterIdx.get(id);
    if (i === undefined) {
      i = this.letters.length;
      this.letters.push(id);
      this.letterIdx.set(id, i);
      this.exportedNames.push(0);
      this.exportedErased.push(0);
    }
    return i;
  }
}

/**
 * Where the openings are checked: a worker thread (it downloads and checks them while this thread hashes the
 * entries), or this thread when no worker can start. Either way the results come back through onResult.
 */
interface Openings {
  plan(base: string, size: number): void;
  bundle(b: BundleSigs): void;
  finish(): Promise<void>;
  mode: 'worker' | 'thread';
}

async function startOpenings(http: HttpGet, onResult: (r: OpeningsResult) => void): Promise<Openings> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('../audit/openings-worker.mjs', import.meta.url), { workerData: { undersignedAuditOpenings: true } });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker did not start')), 20_000);
      worker.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      worker.once('message', (m: { type: string }) => {
        clearTimeout(timer);
        if (m.type === 'ready') resolve();
        else reject(new Error(`unexpected ${m.type}`));
      });
    });
  } catch {
    const c = new OpeningsChecker(http, onResult);
    return { plan: (b, n) => c.plan(b, n), bundle: (b) => c.bundle(b), finish: () => c.finish(), mode: 'thread' };
  }
  let failed: Error | undefined;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  worker.on('message', (m: { type: 'results'; rs: OpeningsResult[] } | { type: 'done' }) => {
    if (m.type === 'results') for (const r of m.rs) onResult(r);
    else done();
  });
  worker.on('error', (e) => {
    failed = e;
    done();
  });
  worker.on('exit', () => done());
  let batch: BundleSigs[] = [];
  const send = () => {
    if (!batch.length) return;
    worker.postMessage({ type: 'bundles', bs: batch }, batch.flatMap((b) => [b.sig.buffer as ArrayBuffer, b.names.buffer as ArrayBuffer]));
    batch = [];
  };
  return {
    mode: 'worker',
    plan: (base, size) => worker.postMessage({ type: 'plan', base, size }),
    bundle: (b) => {
      batch.push(b);
      if (batch.length >= 8) send();
    },
    finish: async () => {
      send();
      worker.postMessage({ type: 'end' });
      await finished;
      await worker.terminate();
      if (failed) throw new Error(`checking the public names failed: ${failed.message}`);
    },
  };
}

async function auditOnce(
  http: HttpGet,
  base: string,
  opts: { letter?: string | undefined; stateFile?: string | undefined; io: CliIO; listPages: number },
): Promise<RunResult & { stateFile: string }> {
  const problems: Problem[] = [];
  const getText = async (url: string) => (await http.ok(url)).toString('utf8');
  const getJson = async <T>(url: string) => JSON.parse((await http.ok(url)).toString('utf8')) as T;
  const vkey = (await getText(`${base}/log/key`)).trim();
  let verifier: ReturnType<typeof parseVerifierKey>;
  try {
    verifier = parseVerifierKey(auditCrypto, vkey);
  } catch (e) {
    throw new AuditFailure({ code: 'BAD_KEY', message: `the log key ${JSON.stringify(vkey)} is not valid: ${(e as Error).message}` });
  }
  const origin = verifier.name;
  const stateFile = opts.stateFile ?? defaultStateFile(origin);
  const previous = readState(stateFile);
  if (previous && previous.vkey !== vkey) problems.push({ code: 'KEY_CHANGED', message: `the log key changed from ${previous.vkey} to ${vkey}` });

  // The API first, then the checkpoint: the log can only be ahead of what the API said, never behind.
  const slugs = opts.letter ? [opts.letter] : (await getJson<{ letters: { slug: string }[] }>(`${base}/api/v1/letters`)).letters.map((l) => l.slug);
  const api = await Promise.all(slugs.map((slug) => getJson<LetterApi>(`${base}/api/v1/letters/${encodeURIComponent(slug)}`)));
  // The first list page of each letter (its public total) is asked for now and awaited at the end: a server that
  // has not sorted its list since it started answers it only after sorting, meanwhile the log downloads.
  const listUrl = (slug: string, page: number) => `${base}/api/v1/letters/${encodeURIComponent(slug)}/signatures?page=${page}`;
  const settle = <T>(p: Promise<T>) => p.then((v) => ({ v }), (e: unknown) => ({ e: e as Error }));
  const firstPages = new Map(api.map((l) => [l.slug, settle(getJson<ListPage>(listUrl(l.slug, 1)))]));
  const checkpoint = await getText(`${base}/log/checkpoint`);

  const facts = new IndexFacts();
  const texts = new Map<string, Set<string>>();
  const maxProblems = 100;
  const problem = (p: Problem) => {
    if (problems.length < maxProblems) problems.push(p);
  };
  // Each bundle's openings are fetched with the bundle and checked once the bundle is hashed and decoded.
  // Counts the entries; the repeats the openings export declares are marked on it as their bundles' results come.
  const counter = new LetterCounter(maxProblems);
  const onOpenings = (r: OpeningsResult) => {
    for (const [i, of] of r.duplicates) counter.markDuplicate(i, of);
    for (const p of r.problems) problem(p.index !== undefined && facts.flags[p.index]! & SIG ? { ...p, letter: facts.letters[facts.letterOf[p.index]!]! } : p);
    const { flags, letterOf } = facts;
    for (const i of r.verified) {
      flags[i] = flags[i]! | EXPORTED;
      facts.exportedNames[letterOf[i]!]!++;
    }
    for (const i of r.erased) {
      flags[i] = flags[i]! | EXPORTED_ERASED;
      facts.exportedErased[letterOf[i]!]!++;
    }
  };
  let size: number;
  try {
    size = openCheckpoint(checkpoint, [verifier], origin).checkpoint.size;
  } catch (e) {
    throw new AuditFailure({ code: 'BAD_CHECKPOINT', message: `the checkpoint does not verify: ${(e as Error).message}` });
  }
  facts.ensure(Math.min(size, 1 << 26)); // sized once (a signed but absurd size grows as bundles actually arrive)
  const openings = await startOpenings(http, onOpenings);
  openings.plan(base, size);
  const reader = {
    readTile: (l: number, i: number, w: number) => http.ok(`${base}/log/${tilePath({ level: l, index: i, width: w })}`),
    readEntryBundle: (i: number, w: number) => http.ok(`${base}/log/${entriesPath(i, w)}`),
  };

  const onBundle = ({ index: k, width: w, entries }: { index: number; width: number; entries: readonly IndexedEntry[] }) => {
    const first = k * TILE_WIDTH;
    facts.ensure(first + w);
    const { flags, letterOf } = facts;
    const sig = new Uint8Array(w);
    const names = new Uint8Array(w * 32);
    for (let j = 0; j < entries.length; j++) {
      const e = entries[j]!;
      const d = e.entry;
      if (!d) continue; // undecodable: reported by verifyLog's counter
      if (d.type === 'sig') {
        flags[e.index] = flags[e.index]! | SIG;
        letterOf[e.index] = facts.letter(d.letter);
        facts.names.set(d.name, e.index * 32);
        sig[j] = 1;
        names.set(d.name, j * 32);
      } else if (d.type === 'letter') {
        let s = texts.get(d.letter);
        if (!s) texts.set(d.letter, (s = new Set()));
        s.add(toBase64(d.text));
      } else if (d.type !== 'delivery' && d.type !== 'reply' && d.ref < flags.length) {
        flags[d.ref] = flags[d.ref]! | CANCELLED;
      }
    }
    openings.bundle({ index: k, width: w, sig, names });
  };

  const bar = progressBar(opts.io);
  let result: VerifyLogResult;
  try {
    result = await verifyLog({
      crypto: auditCrypto,
      reader,
      checkpoint,
      verifiers: [verifier],
      origin,
      previous: previous && previous.vkey === vkey ? { size: previous.size, root: fromBase64(previous.root) } : undefined,
      onProgress: bar,
      onBundle,
      counter,
      concurrency: 16,
      maxProblems,
    });
  } catch (e) {
    throw new AuditFailure({ code: 'BAD_CHECKPOINT', message: `the checkpoint does not verify: ${(e as Error).message}` });
  } finally {
    if (bar) opts.io.err('\n');
    // Every bundle's names checked (and downloads for bundles the verification did not reach, when it stopped early).
    await openings.finish();
  }
  // Counted again with every declared repeat marked (the last openings results came after verifyLog's count).
  const counted = counter.result();
  result = { ...result, letters: counted.letters, warnings: counted.warnings, problems: [...result.problems.filter((p) => p.code !== 'BAD_DUPLICATE'), ...counted.problems.filter((p) => p.code === 'BAD_DUPLICATE')] };
  for (const p of result.problems) problem({ code: p.code, message: p.message, ...(p.index !== undefined ? { index: p.index } : {}), ...(p.path ? { path: p.path } : {}) });
  const { flags, letterOf } = facts;
  // The export must never show a signature the log says was withdrawn or removed.
  for (let i = 0; i < Math.min(size, flags.length); i++) {
    if ((flags[i]! & CANCELLED) && flags[i]! & (EXPORTED | EXPORTED_ERASED)) {
      problem({ code: 'OPENING_CANCELLED', index: i, message: `the export shows entry ${i}, which was withdrawn or removed in the log` });
    }
  }

  let countMismatch = false;
  const letters: LetterResult[] = [];
  for (const l of api) {
    const id = l.log?.letter ?? l.slug;
    const tally = result.letters.find((x) => x.letter === id);
    const logCount = tally?.count ?? 0;
    const lix = facts.letterIdx.get(id);
    const names = lix === undefined ? 0 : facts.exportedNames[lix]!;
    const erased = lix === undefined ? 0 : facts.exportedErased[lix]!;
    const out: LetterResult = { slug: l.slug, count: l.count, ...(tally ? { log: tally } : {}), listed: 0, listPages: { checked: 0, of: 0 }, names, erased };
    letters.push(out);
    if (logCount !== l.count) {
      countMismatch = true;
      problem({ code: 'COUNT_MISMATCH', letter: l.slug, message: `the API counts ${l.count}, the log ${logCount}` });
    }
    if (l.removals) {
      const want = { withdrawn: tally?.withdrawn ?? 0, ...(tally?.removed ?? { signer: 0, duplicate: 0, fraud: 0, legal: 0 }) };
      const got = { withdrawn: l.removals.withdrawn, ...l.removals.removed };
      for (const [k, v] of Object.entries(want)) {
        if ((got as Record<string, number>)[k] !== v) {
          countMismatch = true;
          problem({ code: 'REMOVALS_MISMATCH', letter: l.slug, message: `${k}: the API says ${(got as Record<string, number>)[k]}, the log ${v}` });
        }
      }
    }
    if (l.counts) {
      // Signatures not confirmed by email are counted as the log names them (`source paper|imported`). Paper exactly;
      // imported at least as the log names them: signatories imported before entries named their source are in the
      // log as email, and a site saying more of its count is unverified than the log shows misleads nobody.
      for (const k of ['paper', 'imported'] as const) {
        const logged = tally?.sources[k] ?? 0;
        if (k === 'paper' ? l.counts[k] !== logged : l.counts[k] < logged) {
          countMismatch = true;
          problem({ code: 'SOURCES_MISMATCH', letter: l.slug, message: `${k}: the API counts ${l.counts[k]}, the log ${logged}` });
        }
      }
    }
    for (const v of l.versions ?? []) {
      if (v.textHash && !texts.get(id)?.has(v.textHash)) problem({ code: 'TEXT_NOT_LOGGED', letter: l.slug, message: `the ${v.lang} text served now was never published in the log` });
    }

    // The public list against what was verified: its total, then its items page by page.
    const firstPage = await firstPages.get(l.slug)!;
    if ('e' in firstPage) {
      problem({ code: 'LIST_UNREADABLE', letter: l.slug, message: `the public list could not be read: ${firstPage.e.message}` });
      continue;
    }
    const total = firstPage.v.total;
    out.publicTotal = total;
    if (total !== names + erased) {
      countMismatch = true;
      problem({ code: 'PUBLIC_TOTAL_MISMATCH', letter: l.slug, message: `the list counts ${total} public names, the export holds ${names} verified names and ${erased} erased` });
    }
    if (total > logCount) problem({ code: 'LIST_TOO_LONG', letter: l.slug, message: `${total} names listed, ${logCount} signatures counted` });
    const pages = firstPage.v.pages;
    const chosen = new Set<number>([1]);
    if (pages <= opts.listPages) for (let p = 2; p <= pages; p++) chosen.add(p);
    else {
      chosen.add(pages);
      // Random pages, so that a site cannot know which part of its list will be read.
      while (chosen.size < Math.min(opts.listPages, pages)) chosen.add(1 + randomInt(pages));
    }
    out.listPages = { checked: chosen.size, of: pages };
    const rest = await Promise.all([...chosen].filter((p) => p !== 1).map((p) => settle(getJson<ListPage>(listUrl(l.slug, p)))));
    const seen = new Set<number>();
    for (const page of [firstPage, ...rest]) {
      if ('e' in page) {
        problem({ code: 'LIST_UNREADABLE', letter: l.slug, message: `a page of the public list could not be read: ${page.e.message}` });
        continue;
      }
      for (const item of page.v.items) {
        out.listed++;
        const i = item.logIndex;
        if (i === null || i >= size) {
          countMismatch = true;
          problem({ code: 'LIST_NOT_LOGGED', letter: l.slug, message: `list item ${item.id} is not in the log yet` });
          continue;
        }
        if (!Number.isSafeInteger(i) || i < 0 || !(flags[i]! & SIG) || facts.letters[letterOf[i]!] !== id) {
          problem({ code: 'LIST_BAD_INDEX', letter: l.slug, index: i, message: `list item ${item.id} points at entry ${i}, which is not a signature on this letter` });
          continue;
        }
        if (seen.has(i)) problem({ code: 'LIST_DUPLICATE_INDEX', letter: l.slug, index: i, message: `two list items share entry ${i}` });
        seen.add(i);
        if (flags[i]! & CANCELLED) {
          problem({ code: 'LIST_CANCELLED', letter: l.slug, index: i, message: `list item ${item.id} was withdrawn or removed in the log` });
          continue;
        }
        const erasedItem = Boolean(item.erased) || item.opening === null;
        if (!(flags[i]! & (EXPORTED | EXPORTED_ERASED))) {
          countMismatch = true;
          problem({ code: 'LIST_NOT_EXPORTED', letter: l.slug, index: i, message: `list item ${item.id} (entry ${i}) is not in the openings export` });
        } else if (erasedItem !== Boolean(flags[i]! & EXPORTED_ERASED)) {
          countMismatch = true;
          problem({ code: 'LIST_EXPORT_MISMATCH', letter: l.slug, index: i, message: `list item ${item.id} is ${erasedItem ? '' : 'not '}erased on the list but ${erasedItem ? 'not ' : ''}in the export` });
        }
        if (erasedItem) continue;
        let ok = false;
        try {
          ok = verifyCommitment(auditCrypto, 'name', fromBase64(item.opening!), item.name, facts.names.subarray(i * 32, i * 32 + 32));
        } catch {
          ok = false;
        }
        if (!ok) problem({ code: 'LIST_COMMITMENT_MISMATCH', letter: l.slug, index: i, message: `the name of list item ${item.id} does not match the commitment in entry ${i}` });
      }
    }
  }
  return { problems, warnings: result.warnings, countMismatch, result, origin, vkey, letters, stateFile, namesThread: openings.mode };
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
      options: { letter: { type: 'string' }, json: { type: 'boolean' }, state: { type: 'string' }, retries: { type: 'string' }, 'list-pages': { type: 'string' }, 'data-dir': { type: 'string' } },
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
    const lp = values['list-pages'];
    const listPages = lp === undefined ? 16 : lp === 'all' ? Infinity : Number(lp);
    if (!(listPages === Infinity || (Number.isInteger(listPages) && listPages >= 1 && listPages <= 1_000_000))) throw new CliError('--list-pages must be a whole number from 1 to 1000000, or all');
    const stateFile = values.state ? resolve(ctx.cwd, values.state) : undefined;

    const http = new HttpGet({ sockets: 8 });
    let run: Awaited<ReturnType<typeof auditOnce>> | undefined;
    let fatal: Problem | undefined;
    try {
      for (let attempt = 0; attempt <= retries; attempt++) {
        try {
          run = await auditOnce(http, base, { letter: values.letter, stateFile, io: ctx.io, listPages });
          fatal = undefined;
        } catch (e) {
          if (e instanceof AuditFailure) fatal = e.problem;
          else fatal = { code: 'UNREACHABLE', message: (e as Error).message };
          run = undefined;
        }
        // Only a site running ahead of its log (counts, list items or a just-published text not sequenced yet) is
        // worth another look; a text the log never gets stays a problem after the last try.
        const lagging = !!run && (run.countMismatch || run.problems.some((p) => p.code === 'TEXT_NOT_LOGGED'));
        const onlyLag = lagging && run!.problems.every((p) => LAG_CODES.has(p.code));
        if (!onlyLag || attempt === retries) break;
        await new Promise((r) => setTimeout(r, 1500));
      }
    } finally {
      http.close();
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
          namesCheckedIn: run?.namesThread,
          letters: run?.letters.map((l) => ({
            slug: l.slug, apiCount: l.count, logCount: l.log?.count ?? 0, signatures: l.log?.signatures ?? 0, withdrawn: l.log?.withdrawn ?? 0, removed: l.log?.removed,
            sources: l.log?.sources ?? { paper: 0, imported: 0 },
            duplicates: l.log?.duplicates,
            publicTotal: l.publicTotal, namesChecked: l.names, erased: l.erased, listChecked: l.listed, listPages: l.listPages,
          })),
          problems,
          warnings: run?.warnings ?? [],
        }) + '\n',
      );
    } else {
      if (run?.result) {
        ctx.io.out(`Log ${run.origin}: ${run.result.checkpoint.size} entries, root ${toBase64(run.result.checkpoint.root)}\n`);
        ctx.io.out(`Checked: checkpoint signature (key ${run.vkey.split('+')[1]}), ${run.result.entries} entries, ${run.result.tilesChecked} tiles\n`);
        for (const l of run.letters) {
          ctx.io.out(
            `  ${l.slug}: API ${l.count}, log ${l.log?.count ?? 0} (${l.log?.signatures ?? 0} signed, ${l.log?.withdrawn ?? 0} withdrawn, removed ${JSON.stringify(l.log?.removed ?? {})}${l.log && l.log.sources.paper + l.log.sources.imported ? `; of the count ${l.log.sources.paper} from paper, ${l.log.sources.imported} imported` : ''}); ` +
              `${l.names} public names checked against the log, ${l.erased} erased, list total ${l.publicTotal ?? '?'}; ${l.listed} list items on ${l.listPages.checked} of ${l.listPages.of} pages checked\n`,
          );
        }
      }
      const warnings = run?.warnings ?? [];
      if (warnings.length) {
        ctx.io.out(`WARNING: the log holds ${warnings.length} duplicate entr${warnings.length === 1 ? 'y' : 'ies'}, written twice by the server (a fault on its side, worth reporting); each is counted once (docs/transparency-log.md §7.8):\n`);
        for (const w of warnings) ctx.io.out(`  ${w.code} #${w.index}: ${w.message}\n`);
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
