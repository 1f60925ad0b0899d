/**
 * The confirm figure alone, against hello-world measured in the same run (quicker to iterate with than `npm run bench`):
 *   node --import tsx bench/confirm.ts
 * Loads BENCH_TOKENS pending signatures with known tokens (default 60,000; names as in the bench's loader, so that
 * blocking finds candidates and duplicate scoring has work) on SQLite in a temp directory and on a fresh PostgreSQL
 * database, starts `undersigned serve` (rate limits off, logging silent) and posts each token once to
 * POST /api/v1/confirmations: SQLite one process, PostgreSQL one and two processes. Prints JSON; no assertions.
 * BENCH_ONLY=sqlite|postgres, BENCH_DURATION=S (default 4), BENCH_CONNECTIONS=C (default 50), BENCH_TOKENS=N,
 * BENCH_PROFILE=DIR (the SQLite server under `node --cpu-prof`, profiles in DIR), BENCH_LOADGEN=autocannon,
 * BENCH_COMPARE=DIR (another checkout with its node_modules and the same schema: each figure is measured for its
 * `serve` too, right after this one's, with tokens of its own, for an A/B on a noisy machine).
 * Each figure ends when its tokens run out: a token answered twice is counted as non-2xx (409), so a figure with
 * non-2xx answers needs more tokens.
 */
import { startHelloWorld, startUndersigned, treeCpuSeconds, type Server } from './servers.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '../test/support/postgres.ts';
import { createRequire } from 'node:module';
import { wrk, wrkAvailable, type LoadResult, type WrkRequest } from './wrk.ts';
import { generateKeyPair } from '../src/core/log/index.ts';
import { nodeLogCrypto } from '../src/adapters/crypto/node-crypto.ts';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { openPostgresStore } from '../src/adapters/storage/postgres/index.ts';
import { createBenchLetter, loadSignatures } from './load.ts';

const ONLY = process.env.BENCH_ONLY;
const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PROFILE = process.env.BENCH_PROFILE;
/** Another checkout (same schema) whose `serve` is measured right after this one's on a copy of the same data. */
const COMPARE = process.env.BENCH_COMPARE ? resolve(process.env.BENCH_COMPARE) : undefined;
const TOKENS = Number(process.env.BENCH_TOKENS ?? 60_000);
const LOADGEN = process.env.BENCH_LOADGEN === 'autocannon' || !wrkAvailable() ? 'autocannon' : 'wrk';
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object, cb: (err: Error | null, r: LoadResult) => void) => unknown;
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** wrk when installed, else autocannon (each token once, in order, then repeating). */
function load(url: string, req: WrkRequest, opts: { duration: number; connections: number }): Promise<LoadResult> {
  if (LOADGEN === 'wrk') return wrk(url, req, opts);
  const { vary, ...r } = req;
  let n = 0;
  const request = vary?.kind === 'tokens' ? { ...r, setupRequest: (q: object) => ({ ...q, body: JSON.stringify({ token: vary.tokens[n++ % vary.tokens.length] }) }) } : r;
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: opts.connections, duration: opts.duration, requests: [request], timeout: 10 }, (e, res) => (e ? reject(e) : resolve(res)));
  });
}

const confirmRequest = (tokens: string[]): WrkRequest => ({ method: 'POST', path: '/api/v1/confirmations', headers: { 'content-type': 'application/json' }, vary: { kind: 'tokens', tokens } });

function figure(rs: LoadResult[], servers: Server[], cpuBefore: number[], h: number) {
  const seconds = Math.max(...rs.map((r) => r.duration));
  const ok = rs.reduce((a, r) => a + r['2xx'], 0);
  const used = servers.reduce((a, s, i) => a + treeCpuSeconds(s.proc.pid) - cpuBefore[i]!, 0);
  const reqPerSec = Math.round(ok / seconds);
  return {
    reqPerSec,
    ratioToHelloWorld: round(reqPerSec / h),
    serverCpuUsPerRequest: Math.round((used * 1e6) / ok),
    p50ms: round(rs.reduce((a, r) => a + r.latency.p50, 0) / rs.length, 1),
    p99ms: Math.max(...rs.map((r) => r.latency.p99)),
    non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
    errors: rs.reduce((a, r) => a + r.errors, 0),
  };
}

async function measure(label: string, servers: Server[], tokens: string[][], h: number) {
  const before = servers.map((s) => treeCpuSeconds(s.proc.pid));
  const rs = await Promise.all(servers.map((s, i) => load(s.url, confirmRequest(tokens[i]!), { duration: DURATION, connections: CONNECTIONS / servers.length })));
  const f = figure(rs, servers, before, h);
  log(`${label}: ${f.reqPerSec} req/s (${round(f.ratioToHelloWorld * 100, 1)} % of hello), server CPU ${f.serverCpuUsPerRequest} µs/req, p50 ${f.p50ms} p99 ${f.p99ms}${f.non2xx || f.errors ? `, non-2xx ${f.non2xx} errors ${f.errors}` : ''}`);
  return f;
}

async function hello(): Promise<number> {
  const s = await startHelloWorld();
  try {
    await load(s.url, { path: '/' }, { duration: 1, connections: CONNECTIONS });
    const r = await load(s.url, { path: '/' }, { duration: DURATION, connections: CONNECTIONS });
    const h = Math.round(r['2xx'] / r.duration);
    log(`hello world: ${h} req/s`);
    return h;
  } finally {
    await s.stop();
  }
}

/** The tokens split into `parts` slices: warm-up first, then one per figure. */
function slices(tokens: string[], parts: number): string[][] {
  const n = Math.floor(tokens.length / parts);
  return Array.from({ length: parts }, (_, i) => tokens.slice(i * n, (i + 1) * n));
}

async function sqlite(h: number, from?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-confirm-'));
  try {
    const store = await openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 });
    const letter = await createBenchLetter(store, 'bench-confirm');
    const { tokens } = await loadSignatures(store, { letterId: letter.id, count: TOKENS, status: 'pending' });
    await store.close();
    const [warm, run] = slices(tokens, 2);
    const s = await startUndersigned(dir, {}, { ...(from ? { from } : {}), ...(PROFILE ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] } : {}) });
    try {
      await load(s.url, confirmRequest(warm!.slice(0, 2000)), { duration: 1, connections: CONNECTIONS });
      return await measure(`${from ? 'compare: ' : ''}sqlite confirm, one process`, [s], [run!], h);
    } finally {
      await s.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(h: number, from?: string) {
  const db = await createTestDatabase();
  const dirs = [mkdtempSync(join(tmpdir(), 'undersigned-bench-confirm-a-')), mkdtempSync(join(tmpdir(), 'undersigned-bench-confirm-b-'))];
  try {
    const store = await openPostgresStore(db.url, { foldIntervalMs: 0 });
    const letter = await createBenchLetter(store, 'bench-confirm');
    const { tokens } = await loadSignatures(store, { letterId: letter.id, count: TOKENS, status: 'pending' });
    await store.close();
    const env = { UNDERSIGNED_DATABASE_URL: db.url, UNDERSIGNED_LOG_KEY: generateKeyPair(nodeLogCrypto, 'bench.example/log', randomBytes(32)).skey };
    const [a, b] = await Promise.all(dirs.map((d) => startUndersigned(d, env, from ? { from } : {})));
    const [warm, one, twoA, twoB] = slices(tokens, 4);
    try {
      await Promise.all([
        load(a!.url, confirmRequest(warm!.slice(0, 1000)), { duration: 1, connections: CONNECTIONS / 2 }),
        load(b!.url, confirmRequest(warm!.slice(1000, 2000)), { duration: 1, connections: CONNECTIONS / 2 }),
      ]);
      const tag = from ? 'compare: ' : '';
      const oneProcess = await measure(`${tag}postgres confirm, one process`, [a!], [one!], h);
      const twoProcesses = await measure(`${tag}postgres confirm, two processes`, [a!, b!], [twoA!, twoB!], h);
      return { oneProcess, twoProcesses };
    } finally {
      await Promise.all([a!.stop(), b!.stop()]);
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db.drop();
  }
}

const out: Record<string, unknown> = { loadGenerator: LOADGEN, load: loadavg().map((x) => round(x, 2)), durationSeconds: DURATION, connections: CONNECTIONS, tokens: TOKENS };
const h = await hello();
out.helloWorld = h;
out.compare = COMPARE;
if (ONLY !== 'postgres') out.sqlite = await sqlite(h);
if (COMPARE && ONLY !== 'postgres') out.compareSqlite = await sqlite(h, COMPARE);
if (ONLY !== 'sqlite') out.postgres = await postgres(h);
if (COMPARE && ONLY !== 'sqlite') out.comparePostgres = await postgres(h, COMPARE);
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
