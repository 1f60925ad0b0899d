/**
 * `npm run bench`: starts fresh server processes (`undersigned serve`, rate limits off, logging silent) on SQLite in a
 * temp directory and on a fresh PostgreSQL database, and measures in this run, with wrk when it is installed
 * (bench/wrk.ts: it leaves the cores to the server) or else autocannon (BENCH_LOADGEN=autocannon forces it):
 *   - bare Fastify hello-world (the machine's ceiling; every other figure is also given as a ratio to it)
 *   - sign (API POST, unique emails), confirm (pre-created tokens), on SQLite and on PostgreSQL (one and two processes)
 *   - with BIG confirmed signatures loaded: the letter page as people load and reload it (page 1, no query,
 *     `Accept-Encoding: gzip, br` as browsers send), its revalidation (If-None-Match → 304, as a reload or a CDN
 *     does), the deep list pages (random ?page=N, also with Accept-Encoding), the list page (API), count (API letter)
 *     and stats
 * p50/p99 latency for each. Prints JSON with the machine and writes artifacts/bench.json. Figures only, no assertions.
 * BENCH_QUICK=1: shorter runs and 100,000 signatures instead of 1,000,000. BENCH_ONLY=sqlite|postgres runs one.
 * BENCH_SKIP_WRITES=1 leaves out sign and confirm (read figures only).
 * Several processes: on SQLite the figures are measured again with `serve --processes P` on the same data
 * (P = BENCH_PROCESSES, default the machine's available parallelism; 1 leaves that part out), and hello-world is
 * measured with P processes too, so each of those figures has a ratio to both ceilings.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism, cpus, totalmem, tmpdir, platform, release, loadavg } from 'node:os';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { openPostgresStore } from '../src/adapters/storage/postgres/index.ts';
import type { SqlStore } from '../src/adapters/storage/sql/store.ts';
import { createTestDatabase } from '../test/support/postgres.ts';
import { createBenchLetter, loadSignatures } from './load.ts';
import { wrk, wrkAvailable, type Vary, type WrkRequest } from './wrk.ts';
import { root, startHelloWorld, startUndersigned } from './servers.ts';
import { generateKeyPair } from '../src/core/log/index.ts';
import { nodeLogCrypto } from '../src/adapters/crypto/node-crypto.ts';
import { randomBytes } from 'node:crypto';

/** The part of autocannon's result used here (the package ships no types). */
interface AcResult {
  duration: number;
  '2xx': number;
  '3xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number };
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object, cb: (err: Error | null, r: AcResult) => void) => unknown;

const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = process.env.BENCH_ONLY;
const DURATION = Number(process.env.BENCH_DURATION ?? (QUICK ? 3 : 10));
const WARMUP = QUICK ? 1 : 2;
/** Longer for signing: each server process warms its own statements and caches (with two, 1-2 s cost ~10 µs per signing). */
const SIGN_WARMUP = QUICK ? 1 : 5;
const BIG = Number(process.env.BENCH_BIG ?? (QUICK ? 100_000 : 1_000_000));
const CONFIRM_TOKENS = QUICK ? 20_000 : 100_000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SKIP_WRITES = process.env.BENCH_SKIP_WRITES === '1';
/** What browsers send (Chrome and Firefox add deflate and zstd; the page offers brotli and gzip). */
const BROWSER = { 'accept-encoding': 'gzip, br' };
const LOADGEN = process.env.BENCH_LOADGEN === 'autocannon' || !wrkAvailable() ? 'autocannon' : 'wrk';
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? availableParallelism());

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

interface Figure {
  reqPerSec: number;
  p50ms: number;
  p99ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  ratioToHelloWorld?: number;
  /** Against hello-world run with as many processes as this server (several-process figures only). */
  ratioToHelloWorldSameProcesses?: number;
  note?: string;
}

/** One kind of request; `vary` says what changes per request (built in the load generator: no work here). */
type Req = WrkRequest;

/** autocannon's form of a request: `vary` becomes a setupRequest closure. */
function autocannonRequest(req: Req): object {
  const { vary, ...r } = req;
  if (!vary) return r;
  if (vary.kind === 'randomPage')
    return { ...r, setupRequest: (q: object) => ({ ...q, path: `${vary.prefix}${1 + Math.floor(Math.random() * vary.pages)}${vary.suffix ?? ''}` }) };
  let n = 0;
  if (vary.kind === 'counter') return { ...r, setupRequest: (q: object) => ({ ...q, body: (r.body ?? '').replaceAll('{n}', `${vary.tag}-${n++}`) }) };
  return { ...r, setupRequest: (q: object) => ({ ...q, body: JSON.stringify({ token: vary.tokens[n++ % vary.tokens.length] }) }) };
}

function cannon(url: string, opts: { duration?: number; connections?: number; request: Req; expectStatus?: number }): Promise<AcResult> {
  const duration = opts.duration ?? DURATION;
  const connections = opts.connections ?? CONNECTIONS;
  if (LOADGEN === 'wrk') {
    return wrk(url, opts.request, { duration, connections, ...(opts.expectStatus ? { expectStatus: opts.expectStatus } : {}) }).then((r) => {
      // wrk counts answers below 400 as answered; with an expected 304 the matches are the 3xx figure.
      const matched = r.matched ?? 0;
      return opts.expectStatus === 304
        ? { ...r, '2xx': 0, '3xx': matched, non2xx: r.non2xx + r['2xx'] }
        : { ...r, '3xx': 0 };
    });
  }
  return new Promise((resolve, reject) => {
    autocannon(
      { url, connections, duration, requests: [autocannonRequest(opts.request)], timeout: 10 },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
  });
}

/** `ok` counts the answers that are the figure's success (2xx; 3xx for revalidations answered 304). */
function figure(rs: AcResult[], okStatus: '2xx' | '3xx' = '2xx'): Figure {
  const seconds = Math.max(...rs.map((r) => r.duration));
  const ok = rs.reduce((a, r) => a + r[okStatus], 0);
  return {
    reqPerSec: Math.round(ok / seconds),
    // Several runs at once (two processes): the mean of the medians, the worst p99.
    p50ms: round(rs.reduce((a, r) => a + r.latency.p50, 0) / rs.length),
    p99ms: round(Math.max(...rs.map((r) => r.latency.p99))),
    ok,
    non2xx: rs.reduce((a, r) => a + r.non2xx, 0) - (okStatus === '3xx' ? ok : 0),
    errors: rs.reduce((a, r) => a + r.errors, 0),
    timeouts: rs.reduce((a, r) => a + r.timeouts, 0),
    seconds: round(seconds),
  };
}

function signRequest(slug: string, tag: string): Req {
  return {
    method: 'POST',
    path: `/api/v1/letters/${slug}/signatures`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'امضاکننده {n}', nameAlt: 'Signer {n}', email: '{n}@sign.bench.example', country: 'IR', lang: 'fa' }),
    vary: { kind: 'counter', tag },
  };
}

/** Each token once, for DURATION seconds; should the tokens run out, the repeats are refused (counted as non-2xx). */
function confirmRequest(tokens: string[]): Req {
  return { method: 'POST', path: '/api/v1/confirmations', headers: { 'content-type': 'application/json' }, vary: { kind: 'tokens', tokens } };
}

function randomPages(prefix: string, pages: number, headers?: Record<string, string>): Req {
  const vary: Vary = { kind: 'randomPage', prefix, pages };
  return { method: 'GET', path: `${prefix}1`, ...(headers ? { headers } : {}), vary };
}

/** The hello-world figures a figure is compared with: one process, and as many processes as the server has. */
interface Ceiling {
  one: number;
  same?: number;
}

async function measure(label: string, fn: () => Promise<AcResult[]>, hello?: number | Ceiling, note?: string, okStatus: '2xx' | '3xx' = '2xx'): Promise<Figure> {
  log(`${label}…`);
  const f = figure(await fn(), okStatus);
  const h: Ceiling | undefined = typeof hello === 'number' ? { one: hello } : hello;
  if (h) f.ratioToHelloWorld = round(f.reqPerSec / h.one, 3);
  if (h?.same) f.ratioToHelloWorldSameProcesses = round(f.reqPerSec / h.same, 3);
  if (note) f.note = note;
  log(`${label}: ${f.reqPerSec} req/s, p50 ${f.p50ms} ms, p99 ${f.p99ms} ms${f.non2xx || f.errors ? ` (non-2xx ${f.non2xx}, errors ${f.errors})` : ''}`);
  return f;
}

async function prepare(store: SqlStore, label: string) {
  const sign = await createBenchLetter(store, 'bench-sign');
  const confirm = await createBenchLetter(store, 'bench-confirm');
  const big = await createBenchLetter(store, 'bench-big');
  log(`${label}: ${CONFIRM_TOKENS} pending signatures with known tokens…`);
  const pending = await loadSignatures(store, { letterId: confirm.id, count: CONFIRM_TOKENS, status: 'pending' });
  log(`${label}: loading ${BIG.toLocaleString('en')} confirmed signatures…`);
  let lastLog = Date.now();
  const loaded = await loadSignatures(store, {
    letterId: big.id,
    count: BIG,
    onProgress: (d) => {
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`${label}: ${d.toLocaleString('en')} loaded`);
      }
    },
  });
  const count = await store.signatures.countConfirmed(big.id);
  log(`${label}: loaded ${loaded.inserted} in ${loaded.ms} ms + fold ${loaded.foldMs} ms (${loaded.rowsPerSecond}/s); count ${count}`);
  return { sign, confirm, big, tokens: pending.tokens, load: { rows: loaded.inserted, insertMs: loaded.ms, foldMs: loaded.foldMs, rowsPerSecond: loaded.rowsPerSecond, countAfterLoad: count } };
}

/** Reads pages and count on one server with the big letter: the first request builds and sorts the list. */
async function readFigures(url: string, hello: number | Ceiling, warmed = false) {
  const t0 = performance.now();
  const first = await fetch(`${url}/api/v1/letters/bench-big/signatures?lang=fa&page=1`);
  const firstBody = (await first.json()) as { pages: number; total: number; count: number };
  const coldMs = Math.round(performance.now() - t0);
  const t1 = performance.now();
  await (await fetch(`${url}/api/v1/letters/bench-big/signatures?lang=en&page=1`)).arrayBuffer();
  const coldEnMs = Math.round(performance.now() - t1);
  log(`first list page (load + sort ${firstBody.total} names): fa ${coldMs} ms, en ${coldEnMs} ms`);
  const pages = firstBody.pages;
  const page = '/fa/letters/bench-big';
  const head = await fetch(url + page, { headers: BROWSER });
  // The ETag of the variant browsers get (brotli): what a reload sends back in If-None-Match.
  const etag = head.headers.get('etag') ?? '';
  await head.arrayBuffer();
  const plain = await fetch(url + page, { headers: { 'accept-encoding': 'identity' } });
  await plain.arrayBuffer();
  const sizes = { identity: Number(plain.headers.get('content-length')), [head.headers.get('content-encoding') ?? 'identity']: Number(head.headers.get('content-length')) };
  log(`letter page: ${JSON.stringify(sizes)} bytes, ETag ${etag}`);
  await cannon(url, { duration: WARMUP, request: { path: page, headers: BROWSER } });
  const out: Record<string, Figure | object> = {
    list: { publicNames: firstBody.total, count: firstBody.count, pages, [warmed ? 'firstPageAfterWarmUpMs' : 'firstPageColdMs']: { fa: coldMs, en: coldEnMs } },
    letterPageBytes: sizes,
  };
  out.letterPageHtml = await measure('letter page (HTML, page 1 as loaded: no query, Accept-Encoding gzip, br)', async () => [await cannon(url, { request: { path: page, headers: BROWSER } })], hello,
    'GET /fa/letters/bench-big with Accept-Encoding: gzip, br (brotli sent): the page everyone loads and reloads');
  out.letterPageRevalidate = await measure('letter page revalidation (If-None-Match → 304)', async () => [await cannon(url, { request: { path: page, headers: { ...BROWSER, 'if-none-match': etag } }, expectStatus: 304 })], hello,
    'the same with the ETag of its brotli variant: a reload after max-age, or a CDN revalidating; counts 304s', '3xx');
  await cannon(url, { duration: WARMUP, request: randomPages(`${page}?page=`, pages, BROWSER) });
  out.letterPageDeepHtml = await measure('letter page, deep list pages (HTML, random ?page=N, Accept-Encoding gzip, br)', async () => [await cannon(url, { request: randomPages(`${page}?page=`, pages, BROWSER) })], hello,
    `GET /fa/letters/bench-big?page=N, N random in 1..${pages}: gzip assembled per page around the precompressed frame`);
  out.listPageApi = await measure('list page (API, random page)', async () => [await cannon(url, { request: randomPages('/api/v1/letters/bench-big/signatures?lang=fa&page=', pages) })], hello);
  out.countApi = await measure('count (API letter)', async () => [await cannon(url, { request: { path: '/api/v1/letters/bench-big' } })], hello);
  out.statsApi = await measure('stats (API)', async () => [await cannon(url, { request: { path: '/api/v1/letters/bench-big/stats' } })], hello);
  return out;
}

async function benchSqlite(hello: number, helloSame: number | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-'));
  try {
    const store = await openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 });
    const prep = await prepare(store, 'sqlite');
    await store.close();
    // Half of the pending tokens for each server configuration: a token confirms once.
    const half = Math.floor(prep.tokens.length / 2);
    const one = await sqliteFigures(dir, 1, prep.tokens.slice(0, half), hello, 'run');
    if (PROCESSES <= 1 || !helloSame) return { load: prep.load, ...one };
    const several = await sqliteFigures(dir, PROCESSES, prep.tokens.slice(half), { one: hello, same: helloSame }, 'procs');
    return { load: prep.load, ...one, severalProcesses: { processes: PROCESSES, helloWorldSameProcesses: helloSame, ...several } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The SQLite figures of one server configuration (`serve`, or `serve --processes P`) on the loaded data. */
async function sqliteFigures(dir: string, processes: number, tokens: string[], hello: number | Ceiling, tag: string) {
  const label = processes > 1 ? `sqlite, ${processes} processes` : 'sqlite';
  const server = await startUndersigned(dir, {}, { processes });
  try {
    if (processes > 1) await warmEveryProcess(server.url, processes);
    // `return await`: the finally below must not stop the server while the figures are still being measured.
    if (SKIP_WRITES) return await readFigures(server.url, hello, processes > 1);
    await cannon(server.url, { duration: SIGN_WARMUP, request: signRequest('bench-sign', `warm-${tag}`) });
    const sign = await measure(`${label} sign`, async () => [await cannon(server.url, { request: signRequest('bench-sign', tag) })], hello);
    const confirm = await measure(`${label} confirm`, async () => [await cannon(server.url, { request: confirmRequest(tokens) })], hello);
    const reads = await readFigures(server.url, hello, processes > 1);
    return { sign, confirm, ...reads };
  } finally {
    await server.stop();
  }
}

/** One GET on a connection of its own (so that the cluster hands it to the next process), resolving with its ms. */
function getAlone(url: string): Promise<number> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Each process of a several-process server sorts the public list when first asked (about 13 s for 900,000 Persian
 * names): ask on fresh connections, several at a time, until every answer of a round is quick, so that the figures
 * measure serving rather than one process's first sort.
 */
async function warmEveryProcess(url: string, processes: number): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < 300_000) {
    const ms = await Promise.all(
      // Connections go to the processes in turn: the language changes every `processes` requests, so that each
      // process is asked for both (alternating per request would send every process one language only).
      Array.from({ length: processes * 4 }, (_, i) => getAlone(`${url}/api/v1/letters/bench-big/signatures?lang=${Math.floor(i / processes) % 2 ? 'en' : 'fa'}&page=1`)),
    );
    if (Math.max(...ms) < 500) {
      log(`every process warm after ${Math.round((performance.now() - t0) / 1000)} s`);
      return;
    }
  }
  log('processes still slow to answer after 300 s; measuring anyway');
}

async function benchPostgres(hello: number) {
  const db = await createTestDatabase();
  const dirs = [mkdtempSync(join(tmpdir(), 'undersigned-bench-a-')), mkdtempSync(join(tmpdir(), 'undersigned-bench-b-'))];
  try {
    const store = await openPostgresStore(db.url, { foldIntervalMs: 0 });
    const prep = await prepare(store, 'postgres');
    await store.close();
    // One instance, two processes: one log key (each process would otherwise make its own in its data directory,
    // and the second to sequence would be refused: the log is signed by another key).
    const env = { UNDERSIGNED_DATABASE_URL: db.url, UNDERSIGNED_LOG_KEY: generateKeyPair(nodeLogCrypto, 'bench.example/log', randomBytes(32)).skey };
    const [a, b] = await Promise.all(dirs.map((d) => startUndersigned(d, env)));
    try {
      if (SKIP_WRITES) return { load: prep.load, ...(await readFigures(a!.url, hello)) };
      await cannon(a!.url, { duration: SIGN_WARMUP, request: signRequest('bench-sign', 'warm-a') });
      await cannon(b!.url, { duration: SIGN_WARMUP, request: signRequest('bench-sign', 'warm-b') });
      const signOne = await measure('postgres sign, one process', async () => [await cannon(a!.url, { request: signRequest('bench-sign', 'one') })], hello);
      const signTwo = await measure('postgres sign, two processes', async () =>
        Promise.all([
          cannon(a!.url, { connections: CONNECTIONS / 2, request: signRequest('bench-sign', 'two-a') }),
          cannon(b!.url, { connections: CONNECTIONS / 2, request: signRequest('bench-sign', 'two-b') }),
        ]), hello);
      const half = Math.floor(prep.tokens.length / 2);
      const confirm = await measure('postgres confirm, two processes', async () =>
        Promise.all([
          cannon(a!.url, { connections: CONNECTIONS / 2, request: confirmRequest(prep.tokens.slice(0, half)) }),
          cannon(b!.url, { connections: CONNECTIONS / 2, request: confirmRequest(prep.tokens.slice(half)) }),
        ]), hello);
      const reads = await readFigures(a!.url, hello);
      return { load: prep.load, signOneProcess: signOne, signTwoProcesses: signTwo, confirmTwoProcesses: confirm, ...reads };
    } finally {
      await Promise.all([a!.stop(), b!.stop()]);
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db.drop();
  }
}

async function optional(file: string, exportName: string, args: unknown[]): Promise<unknown> {
  const path = join(root, 'bench', file);
  if (!existsSync(path)) return { skipped: `bench/${file} is missing` };
  try {
    const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    const fn = mod[exportName];
    if (typeof fn !== 'function') return { skipped: `bench/${file} does not export ${exportName}` };
    log(`${exportName}…`);
    return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
  } catch (e) {
    return { failed: (e as Error).message };
  }
}

async function main() {
  const cpu = cpus();
  const result: Record<string, unknown> = {
    loadGenerator: LOADGEN === 'wrk' ? 'wrk (one thread)' : 'autocannon (in the bench process)',
    machine: { cpus: cpu.length, model: cpu[0]?.model ?? 'unknown', memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version, platform: `${platform()} ${release()}`, loadAverageAtStart: loadavg().map((x) => round(x)) },
    settings: { quick: QUICK, durationSeconds: DURATION, connections: CONNECTIONS, bigLetterSignatures: BIG, confirmTokens: CONFIRM_TOKENS, skipWrites: SKIP_WRITES, sqliteProcesses: PROCESSES },
    startedAt: new Date().toISOString(),
  };
  const helloServer = await startHelloWorld();
  let hello: Figure;
  try {
    await cannon(helloServer.url, { duration: WARMUP, request: { path: '/' } });
    hello = await measure('hello world', async () => [await cannon(helloServer.url, { request: { path: '/' } })]);
  } finally {
    await helloServer.stop();
  }
  result.helloWorld = hello;
  let helloSame: Figure | undefined;
  if (PROCESSES > 1 && ONLY !== 'postgres') {
    const s = await startHelloWorld(PROCESSES);
    try {
      await cannon(s.url, { duration: WARMUP, request: { path: '/' } });
      helloSame = await measure(`hello world, ${PROCESSES} processes`, async () => [await cannon(s.url, { request: { path: '/' } })]);
    } finally {
      await s.stop();
    }
    result.helloWorldSameProcesses = { processes: PROCESSES, ...helloSame };
  }
  if (ONLY !== 'postgres') result.sqlite = await benchSqlite(hello.reqPerSec, helloSame?.reqPerSec);
  if (ONLY !== 'sqlite') result.postgres = await benchPostgres(hello.reqPerSec);
  result.mail = await optional('mail-loop.ts', 'benchMailLoop', [{ quick: QUICK, hello: hello.reqPerSec }]);
  result.names = await optional('names.ts', 'benchNames', QUICK ? [{ pairSize: 1000, indexSize: 100_000, queries: 1000 }] : []);
  result.log = await optional('log.ts', 'benchLog', QUICK ? [100_000] : []);
  result.letterPdf = await optional('pdf.ts', 'benchPdf', QUICK ? [2000] : [10_000]);
  result.finishedAt = new Date().toISOString();
  const json = JSON.stringify(result, null, 2);
  process.stdout.write(json + '\n');
  mkdirSync(join(root, 'artifacts'), { recursive: true });
  writeFileSync(join(root, 'artifacts', QUICK ? 'bench-quick.json' : 'bench.json'), json + '\n');
}

await main();
