/**
 * The sign figure alone, against hello-world measured in the same run (quicker to iterate with than `npm run bench`):
 *   node --import tsx bench/sign.ts
 * Starts a bare Fastify hello-world, then fresh `undersigned serve` processes (rate limits off, logging silent) on
 * SQLite in a temp directory and on a fresh PostgreSQL database (one and two processes), and posts signatures with a
 * new email each (POST /api/v1/letters/bench-sign/signatures) with wrk when it is installed (BENCH_LOADGEN=autocannon
 * forces autocannon, as before session 3). Prints JSON; no assertions. BENCH_PROCESSES=N runs the SQLite server as
 * `serve --processes N` and measures hello-world with N processes too.
 * BENCH_ONLY=sqlite|postgres, BENCH_DURATION=S (default 5), BENCH_CONNECTIONS=C (default 50), BENCH_ROUNDS=N
 * (alternate hello-world and sign N times), BENCH_PROFILE=DIR (serve under `node --cpu-prof`, profiles in DIR),
 * BENCH_RATE_LIMIT=N (keep the per-IP limiter on, N per minute, to measure its cost; autocannon comes from one IP,
 * so N must exceed the requests of the run), BENCH_COMPARE=DIR (another checkout with its node_modules, e.g. an
 * older commit from `git archive`: each round measures its `serve` too, right after this one's, for an A/B on a
 * noisy machine).
 */
import { root, startHelloWorld, startUndersigned, treeCpuSeconds, type Server } from './servers.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { createTestDatabase } from '../test/support/postgres.ts';
import { wrk, wrkAvailable } from './wrk.ts';
import { generateKeyPair } from '../src/core/log/index.ts';
import { nodeLogCrypto } from '../src/adapters/crypto/node-crypto.ts';
import { randomBytes } from 'node:crypto';

interface AcResult { duration: number; '2xx': number; non2xx: number; errors: number; latency: { p50: number; p99: number } }
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object, cb: (err: Error | null, r: AcResult) => void) => unknown;

const ONLY = process.env.BENCH_ONLY;
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const PROFILE = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;
const RATE_LIMIT = process.env.BENCH_RATE_LIMIT ?? 'off';
const COMPARE = process.env.BENCH_COMPARE ? resolve(process.env.BENCH_COMPARE) : undefined;
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1);
const LOADGEN = process.env.BENCH_LOADGEN === 'autocannon' || !wrkAvailable() ? 'autocannon' : 'wrk';
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

type Req = { method?: string; path: string; headers?: Record<string, string>; setupRequest?: (r: any) => any; tag?: string };

function cannon(url: string, requests: Req[], opts: { duration?: number; connections?: number } = {}): Promise<AcResult> {
  const r = requests[0]!;
  if (LOADGEN === 'wrk') {
    const tag = (r as Req & { tag?: string }).tag;
    return wrk(url, {
      method: r.method ?? 'GET',
      path: r.path,
      ...(r.headers ? { headers: r.headers } : {}),
      ...(tag === undefined
        ? {}
        : {
            body: JSON.stringify({ name: `امضاکننده ${tag} {n}`, nameAlt: `Signer ${tag} {n}`, email: `{n}@sign.bench.example`, country: 'IR', lang: 'fa' }),
            vary: { kind: 'counter' as const, tag },
          }),
    }, { duration: opts.duration ?? DURATION, connections: opts.connections ?? CONNECTIONS });
  }
  return new Promise((res, rej) => {
    autocannon({ url, connections: opts.connections ?? CONNECTIONS, duration: opts.duration ?? DURATION, requests, timeout: 10 }, (e, r) => (e ? rej(e) : res(r)));
  });
}

/**
 * Runs fn and adds the servers' CPU per answered request (µs): on a machine shared with other jobs this moves far
 * less than req/s does, since it does not count the time the server waited for a core.
 */
async function withCpu<F extends { reqPerSec: number }>(servers: Server[], seconds: number, fn: () => Promise<F>): Promise<F & { serverCpuUsPerRequest: number }> {
  const before = servers.map((s) => treeCpuSeconds(s.proc.pid));
  const f = await fn();
  const used = servers.reduce((a, s, i) => a + treeCpuSeconds(s.proc.pid) - before[i]!, 0);
  return { ...f, serverCpuUsPerRequest: Math.round((used * 1e6) / (f.reqPerSec * seconds)) };
}

function figure(rs: AcResult[]) {
  const seconds = Math.max(...rs.map((r) => r.duration));
  const ok = rs.reduce((a, r) => a + r['2xx'], 0);
  return {
    reqPerSec: Math.round(ok / seconds),
    p50ms: Math.round((rs.reduce((a, r) => a + r.latency.p50, 0) / rs.length) * 10) / 10,
    p99ms: Math.max(...rs.map((r) => r.latency.p99)),
    non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
    errors: rs.reduce((a, r) => a + r.errors, 0),
  };
}

function serve(dataDir: string, extra: Record<string, string> = {}, from = root, processes = 1): Promise<Server> {
  const nodeArgs = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : [];
  return startUndersigned(dataDir, extra, { from, nodeArgs, rateLimit: RATE_LIMIT, processes });
}

function signRequests(prefix: string): Req[] {
  let n = 0;
  return [{
    tag: prefix, // wrk builds the same body in Lua (bench/wrk.ts counter)
    method: 'POST',
    path: '/api/v1/letters/bench-sign/signatures',
    headers: { 'content-type': 'application/json' },
    setupRequest: (r: any) => {
      const i = n++;
      r.body = JSON.stringify({ name: `امضاکننده ${prefix} ${i}`, nameAlt: `Signer ${prefix} ${i}`, email: `${prefix}.${i}@sign.bench.example`, country: i % 3 ? 'IR' : 'DE', lang: 'fa' });
      return r;
    },
  }];
}

async function hello(processes = 1): Promise<number> {
  const s = await startHelloWorld(processes);
  try {
    await cannon(s.url, [{ path: '/' }], { duration: 1 });
    const f = figure([await cannon(s.url, [{ path: '/' }])]);
    log(`hello world${processes > 1 ? `, ${processes} processes` : ''}: ${f.reqPerSec} req/s`);
    return f.reqPerSec;
  } finally {
    await s.stop();
  }
}

async function sqliteSign(h: number, from: string, tag: string) {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-sign-'));
  try {
    const { openSqliteStore, createBenchLetter } = await modulesOf(from);
    const store = await openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 });
    await createBenchLetter(store, 'bench-sign');
    await store.close();
    const s = await serve(dir, {}, from, PROCESSES);
    try {
      await cannon(s.url, signRequests(`warm-${label()}`), { duration: 1 });
      const f = await withCpu([s], DURATION, async () => figure([await cannon(s.url, signRequests(label()))]));
      log(`${tag}sqlite sign: ${f.reqPerSec} req/s (${Math.round((f.reqPerSec / h) * 1000) / 10} % of hello), server CPU ${f.serverCpuUsPerRequest} µs/req, p50 ${f.p50ms} p99 ${f.p99ms}${f.non2xx || f.errors ? `, non-2xx ${f.non2xx} errors ${f.errors}` : ''}`);
      return { ...f, ratio: Math.round((f.reqPerSec / h) * 1000) / 1000 };
    } finally {
      await s.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresSign(h: number, from: string, tag: string) {
  const db = await createTestDatabase();
  const dirs = [mkdtempSync(join(tmpdir(), 'undersigned-bench-sign-a-')), mkdtempSync(join(tmpdir(), 'undersigned-bench-sign-b-'))];
  try {
    const { openPostgresStore, createBenchLetter } = await modulesOf(from);
    const store = await openPostgresStore(db.url, { foldIntervalMs: 0 });
    await createBenchLetter(store, 'bench-sign');
    await store.close();
    // One log key for both processes (each data directory would otherwise make its own, and the second to start
    // is refused once the first has signed a checkpoint).
    const env = { UNDERSIGNED_DATABASE_URL: db.url, UNDERSIGNED_LOG_KEY: generateKeyPair(nodeLogCrypto, 'bench.example/log', randomBytes(32)).skey };
    const [a, b] = await Promise.all(dirs.map((d) => serve(d, env, from)));
    try {
      await Promise.all([cannon(a!.url, signRequests(`warm-a-${label()}`), { duration: 1 }), cannon(b!.url, signRequests(`warm-b-${label()}`), { duration: 1 })]);
      const one = await withCpu([a!], DURATION, async () => figure([await cannon(a!.url, signRequests(label()))]));
      log(`${tag}postgres sign, one process: ${one.reqPerSec} req/s (${Math.round((one.reqPerSec / h) * 1000) / 10} % of hello), server CPU ${one.serverCpuUsPerRequest} µs/req, p50 ${one.p50ms} p99 ${one.p99ms}${one.non2xx || one.errors ? `, non-2xx ${one.non2xx} errors ${one.errors}` : ''}`);
      const two = await withCpu([a!, b!], DURATION, async () => figure(await Promise.all([
        cannon(a!.url, signRequests(`a-${label()}`), { connections: CONNECTIONS / 2 }),
        cannon(b!.url, signRequests(`b-${label()}`), { connections: CONNECTIONS / 2 }),
      ])));
      log(`${tag}postgres sign, two processes: ${two.reqPerSec} req/s (${Math.round((two.reqPerSec / h) * 1000) / 10} % of hello), server CPU ${two.serverCpuUsPerRequest} µs/req, p50 ${two.p50ms} p99 ${two.p99ms}${two.non2xx || two.errors ? `, non-2xx ${two.non2xx} errors ${two.errors}` : ''}`);
      return { oneProcess: one, twoProcesses: two };
    } finally {
      await Promise.all([a!.stop(), b!.stop()]);
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db.drop();
  }
}

/** The store openers and the letter maker of a checkout: its own migrations prepare the database its server opens. */
async function modulesOf(from: string) {
  const [sqlite, postgres, load] = await Promise.all([
    import(pathToFileURL(join(from, 'src/adapters/storage/sqlite/index.ts')).href) as Promise<typeof import('../src/adapters/storage/sqlite/index.ts')>,
    import(pathToFileURL(join(from, 'src/adapters/storage/postgres/index.ts')).href) as Promise<typeof import('../src/adapters/storage/postgres/index.ts')>,
    import(pathToFileURL(join(from, 'bench/load.ts')).href) as Promise<typeof import('./load.ts')>,
  ]);
  return { openSqliteStore: sqlite.openSqliteStore, openPostgresStore: postgres.openPostgresStore, createBenchLetter: load.createBenchLetter };
}

const label = () => Math.random().toString(36).slice(2, 10);

async function main() {
  const out: Record<string, unknown>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r: Record<string, unknown> = { load: loadavg().map((x) => Math.round(x * 100) / 100) };
    const h = await hello();
    r.helloWorld = h;
    if (PROCESSES > 1) r.helloWorldSameProcesses = await hello(PROCESSES);
    const tag = COMPARE ? 'this: ' : '';
    if (ONLY !== 'postgres') r.sqlite = await sqliteSign(h, root, tag);
    if (COMPARE && ONLY !== 'postgres') r.compareSqlite = await sqliteSign(h, COMPARE, 'compare: ');
    if (ONLY !== 'sqlite') r.postgres = await postgresSign(h, root, tag);
    if (COMPARE && ONLY !== 'sqlite') r.comparePostgres = await postgresSign(h, COMPARE, 'compare: ');
    out.push(r);
  }
  process.stdout.write(JSON.stringify({ loadGenerator: LOADGEN, sqliteProcesses: PROCESSES, durationSeconds: DURATION, connections: CONNECTIONS, compare: COMPARE, rounds: out }, null, 2) + '\n');
}

await main();
