/**
 * `undersigned serve --processes 2` on one SQLite data directory (issue 5): real processes, real connections. Every
 * request here goes on a connection of its own, and the cluster hands each new connection to the next worker, so
 * the requests of each step reach both workers (the request log's pids show it):
 *   - signatures made through both workers are each stored once, each confirmation mail is written once (by two
 *     writers: each process has its own dev outbox file), confirmations work through either worker, and every worker
 *     answers the same count, stats and list;
 *   - the rate limit is one limit across the workers (counted in the primary): the request after the limit is refused
 *     whichever worker gets it, not N times later;
 *   - an organiser's change made through one worker (sign-in, closing the letter) shows on every worker within the
 *     letter cache's second;
 *   - a worker killed with SIGKILL is replaced and serving goes on; SIGTERM stops everything with exit code 0;
 *   - a start that cannot succeed (the port taken) stops with a message and a non-zero exit code;
 *   - Ctrl-C during the start (SIGINT to the whole process group, workers still without their handlers) is a clean
 *     stop, exit code 0;
 *   - `serve` as the worker of another node:cluster primary (a process manager's cluster mode), which answers none of
 *     our messages, behaves as a single process: its own listening line, its own rate limits, no wait on the primary.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { readDevOutbox } from '../src/adapters/mail/dev-outbox.ts';
import { letterFixture, versionsFixture } from '../src/adapters/storage/store.case.ts';
import { answeringPids, eventually, postJsonAlone, requestAlone, startServe, type Served } from './support/serve.ts';

const BASE = 'http://cluster.test';
const LIMIT = 3;
const PEOPLE = 40;

describe('serve --processes 2 on one SQLite data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-cluster-'));
  const slug = 'cluster';
  let s: Served;

  before(async () => {
    // An empty data directory: the primary migrates it before the workers start.
    s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: String(LIMIT), UNDERSIGNED_LOG_LEVEL: 'info', UNDERSIGNED_BASE_URL: BASE }, { args: ['--processes', '2'], stdout: true });
    const store = await openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 });
    await store.letters.insert(letterFixture({ slug, defaultLang: 'en', organisers: ['org@example.org'] }), versionsFixture);
    await store.close();
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the start prints one listening line for both workers', () => {
    const lines = s.stderr().split('\n').filter((l) => /listening on (?:.*):(\d+)\)/.test(l));
    assert.equal(lines.length, 1, s.stderr());
    assert.match(lines[0]!, /2 processes \(pids \d+, \d+\)/);
  });

  test('signed through both workers: each once, each mail once by two writers, confirmed through either, the same figures from every worker', async () => {
    // Each signer from an address of its own (127.0.0.0/8 is all loopback), so the rate limit does not refuse them.
    const from = (i: number) => `127.0.1.${i + 1}`;
    const sign = (i: number) => requestAlone(`${s.url}/api/v1/letters/${slug}/signatures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Signer ${String(i).padStart(2, '0')}`, email: `signer${i}@example.org`, country: i % 2 ? 'IR' : 'SE', lang: 'en' }),
      localAddress: from(i),
    });
    for (let wave = 0; wave < PEOPLE; wave += 8) {
      const rs = await Promise.all(Array.from({ length: 8 }, (_, k) => sign(wave + k)));
      for (const r of rs) assert.equal(r.status, 202, r.text);
    }
    assert.equal(answeringPids(s.stdout()).size, 2, 'both workers answered');

    const outbox = join(dir, 'outbox');
    const tokens = await eventually(async () => {
      const mails = readDevOutbox(outbox, 10_000).filter((m) => m.template === 'confirm');
      return mails.length >= PEOPLE ? new Map(mails.map((m) => [m.to, /token=([A-Za-z0-9_-]+)/.exec(m.text)![1]!])) : undefined;
    }, 30_000, 'the confirmation mails');
    const mails = readDevOutbox(outbox, 10_000).filter((m) => m.template === 'confirm');
    assert.equal(mails.length, PEOPLE, 'one mail per signature');
    assert.equal(new Set(mails.map((m) => m.to)).size, PEOPLE, 'no address mailed twice');
    const writers = new Set(mails.map((m) => m.file.split('/').at(-1)!.replace(/:\d+$/, '')));
    assert.equal(writers.size, 2, `two writers (${readdirSync(outbox).join(', ')})`);

    for (let i = 0; i < PEOPLE; i++) {
      const r = await postJsonAlone(`${s.url}/api/v1/confirmations`, { token: tokens.get(`signer${i}@example.org`) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }

    const read = async () => {
      const letter = (await requestAlone(`${s.url}/api/v1/letters/${slug}`)).json() as { count: number };
      const stats = (await requestAlone(`${s.url}/api/v1/letters/${slug}/stats`)).json() as { count: number; byCountry: Record<string, number> };
      const list = (await requestAlone(`${s.url}/api/v1/letters/${slug}/signatures?lang=en`)).json() as { items: { name: string }[]; total: number };
      return { count: letter.count, stats: stats.count, byCountry: stats.byCountry, total: list.total, first: list.items[0]?.name, last: list.items.at(-1)?.name };
    };
    const expected = { count: PEOPLE, stats: PEOPLE, byCountry: { IR: PEOPLE / 2, SE: PEOPLE / 2 }, total: PEOPLE, first: 'Signer 00', last: `Signer ${PEOPLE - 1}` };
    // The caches of each worker expire within ~2 s; then four reads in a row (two per worker) agree.
    await eventually(async () => {
      for (let i = 0; i < 4; i++) if (!isDeepStrictEqual(await read(), expected)) return undefined;
      return true;
    }, 20_000, 'the same figures from every worker').catch(async (e: Error) => {
      throw new Error(`${e.message}; last read ${JSON.stringify(await read())}`);
    });
    const store = await openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 });
    try {
      assert.equal((await store.signatures.stats((await store.letters.bySlug(slug))!.id)).count, PEOPLE);
    } finally {
      await store.close();
    }
  });

  test('the rate limit is one limit across the workers', async () => {
    const ip = '127.0.2.1';
    const pidsBefore = answeringPids(s.stdout());
    const sign = (i: number) => requestAlone(`${s.url}/api/v1/letters/${slug}/signatures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Limited ${i}`, email: `limited${i}@example.org`, lang: 'en' }),
      localAddress: ip,
    });
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof sign>> | undefined;
    for (let i = 0; i < LIMIT + 3; i++) {
      const r = await sign(i);
      statuses.push(r.status);
      if (r.status === 429) refused ??= r;
    }
    assert.deepEqual(statuses, [...Array(LIMIT).fill(202), 429, 429, 429]);
    assert.equal(refused!.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(refused!.headers['retry-after']) > 0, 'Retry-After');
    assert.ok(pidsBefore.size === 2, 'both workers had answered before');
    // Another address still signs.
    const other = await requestAlone(`${s.url}/api/v1/letters/${slug}/signatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Other', email: 'other@example.org', lang: 'en' }), localAddress: '127.0.2.2' });
    assert.equal(other.status, 202);
  });

  test('an organiser closes the letter through one worker; every worker shows it closed within the letter cache\'s second', async () => {
    const cookies = new Map<string, string>();
    const browse = async (path: string, form?: Record<string, string>) => {
      const headers: Record<string, string> = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
      let body: string | undefined;
      if (form) {
        Object.assign(headers, { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', origin: BASE });
        body = new URLSearchParams(form).toString();
      }
      const r = await requestAlone(`${s.url}${path}`, { method: form ? 'POST' : 'GET', headers, body });
      const set = r.headers['set-cookie'];
      for (const c of Array.isArray(set) ? set : set ? [set] : []) {
        const [kv] = c.split(';');
        const i = kv!.indexOf('=');
        cookies.set(kv!.slice(0, i), kv!.slice(i + 1));
      }
      return r;
    };
    const csrf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    // Sign-in: the login form, the mailed link, its button; each step on a new connection (so, through both workers).
    const login = await browse('/en/organise/login', { email: 'org@example.org', _csrf: csrf((await browse('/en/organise')).text) });
    assert.ok(login.status < 400, `login form: ${login.status}`);
    const token = await eventually(async () => {
      const m = readDevOutbox(join(dir, 'outbox'), 10_000).find((x) => x.template === 'login' && x.to === 'org@example.org');
      return m && /token=([A-Za-z0-9_-]+)/.exec(m.text)![1];
    }, 20_000, 'the login mail');
    const page = await browse(`/en/organise/login/complete?token=${token}`);
    const done = await browse('/en/organise/login/complete', { token, _csrf: csrf(page.text) });
    assert.equal(done.status, 303, done.text);
    const open = (await requestAlone(`${s.url}/api/v1/letters/${slug}`)).json() as { state: string };
    assert.equal(open.state, 'open');
    const closed = await browse(`/en/organise/letters/${slug}/state`, { to: 'closed', _csrf: csrf((await browse('/en/organise')).text) });
    assert.equal(closed.status, 303, closed.text);
    const closedAt = Date.now();
    // Every worker: four reads in a row on new connections all closed.
    await eventually(async () => {
      for (let i = 0; i < 4; i++) if (((await requestAlone(`${s.url}/api/v1/letters/${slug}`)).json() as { state: string }).state !== 'closed') return undefined;
      return true;
    }, 10_000, 'every worker to show the letter closed');
    // Signing is refused by both workers from then on.
    for (let i = 0; i < 2; i++) {
      const r = await requestAlone(`${s.url}/api/v1/letters/${slug}/signatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `Late ${i}`, email: `late${i}@example.org`, lang: 'en' }), localAddress: `127.0.3.${i + 1}` });
      assert.equal(r.status, 409, r.text);
    }
    // Figures, not an assertion on time: how long the other worker took to see the change.
    process.stderr.write(`# seen closed on every worker ${Date.now() - closedAt} ms after the change\n`);
  });

  test('a worker killed with SIGKILL is replaced, and serving goes on', async () => {
    const pids = new Set([...answeringPids(s.stdout())]);
    const victim = [...pids][0]!;
    process.kill(victim, 'SIGKILL');
    await eventually(async () => (/server process \d+ stopped unexpectedly \(killed by SIGKILL\); starting another/.test(s.stderr()) ? true : undefined), 10_000, 'the primary to report the death');
    // Serving goes on meanwhile and after: a new pid answers, alongside the survivor.
    await eventually(async () => {
      for (let i = 0; i < 4; i++) assert.equal((await requestAlone(`${s.url}/api/v1/letters/${slug}`)).status, 200);
      const now = answeringPids(s.stdout());
      return [...now].some((p) => !pids.has(p)) ? true : undefined;
    }, 60_000, 'a replacement worker to answer');
  });

  test('SIGTERM stops the primary and every worker, exit code 0', async () => {
    const exited = new Promise<[number | null, string | null]>((r) => s.proc.once('exit', (code, signal) => r([code, signal])));
    await s.stop();
    assert.deepEqual(await exited, [0, null], s.stderr());
    assert.match(s.stderr(), /Stopping…/);
    // No worker left behind: every pid that answered is gone.
    for (const pid of answeringPids(s.stdout())) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} still running`);
  });
});

describe('serve --processes 2 that cannot start', () => {
  test('the port is taken: one message, a non-zero exit, no loop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-cluster-busy-'));
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const proc = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin/undersigned.js'), 'serve', '--processes', '2', '--port', String(port), '--host', '127.0.0.1'], {
        env: { ...process.env, UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_DATABASE_URL: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      proc.stderr!.setEncoding('utf8').on('data', (d: string) => void (err += d));
      const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
      assert.notEqual(code, 0, err);
      assert.equal(err.match(/the port is already in use/g)?.length, 1, err);
      assert.doesNotMatch(err, /listening on/);
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad UNDERSIGNED_PROCESSES stops the start with a message naming it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-cluster-bad-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const proc = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin/undersigned.js'), 'serve', '--port', '0'], {
      env: { ...process.env, UNDERSIGNED_PROCESSES: 'many', UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_DATABASE_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => void (err += d));
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    assert.equal(code, 2);
    assert.match(err, /UNDERSIGNED_PROCESSES must be a whole number from 1 to 256 or "auto", got "many"/);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  });
});

/** The workers of a primary: its child processes running the command (Linux /proc; not, say, a compiler service). */
function workersOf(ppid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== ppid) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('bin/undersigned.js')) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('serve --processes 2 stopped by Ctrl-C while starting', () => {
  test('SIGINT to the process group before the workers have their handlers: a clean stop, exit code 0', { skip: !existsSync('/proc/self/stat') && 'needs /proc' }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-cluster-ctrlc-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    // Its own process group, as a terminal's foreground job: a Ctrl-C reaches the primary and every worker.
    const proc = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin/undersigned.js'), 'serve', '--processes', '2', '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_DATABASE_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    t.after(() => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    let err = '';
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => void (err += d));
    const exited = new Promise<[number | null, string | null]>((r) => proc.once('exit', (code, signal) => r([code, signal])));
    // The moment the first worker exists (it then takes a second or more to load before it handles SIGINT).
    await eventually(async () => (workersOf(proc.pid!).length ? true : undefined), 60_000, 'the first worker');
    process.kill(-proc.pid!, 'SIGINT');
    assert.deepEqual(await exited, [0, null], err);
    assert.doesNotMatch(err, /listening on/);
    assert.doesNotMatch(err, /stopped while starting|stopped unexpectedly/, err);
  });
});

describe('serve as the worker of another node:cluster primary (a process manager\'s cluster mode)', () => {
  test('behaves as a single process: its own listening line, rate limits counted in it, no wait for an answer', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-cluster-foreign-'));
    const s = await startServe({ UNDERSIGNED_DATA_DIR: dir, UNDERSIGNED_RATE_LIMIT: String(LIMIT) }, { foreignPrimary: true });
    t.after(async () => {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    // startServe returned on the worker's own listening line: a single server's, without our primary's process list.
    const lines = s.stderr().split('\n').filter((l) => /listening on (?:.*):(\d+)\)/.test(l));
    assert.equal(lines.length, 1, s.stderr());
    assert.doesNotMatch(lines[0]!, /processes \(pids/);
    const store = await openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 });
    await store.letters.insert(letterFixture({ slug: 'foreign', defaultLang: 'en' }), versionsFixture);
    await store.close();
    const statuses: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const t0 = Date.now();
      const r = await requestAlone(`${s.url}/api/v1/letters/foreign/signatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `Foreign ${i}`, email: `foreign${i}@example.org`, lang: 'en' }), localAddress: '127.0.4.1' });
      times.push(Date.now() - t0);
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [...Array(LIMIT).fill(202), 429, 429], 'the limit holds, counted in the process');
    // An IPC count would wait 2 s for the primary that never answers on each request, then count locally.
    assert.ok(Math.max(...times) < 2000, `no request waited for an answer (${times.join(', ')} ms)`);
    assert.doesNotMatch(s.stderr(), /counted in it alone|primary process/, s.stderr());
  });
});
