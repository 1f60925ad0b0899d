/** Real `undersigned serve` processes for the multi-process and crash tests: started on a free port, stopped or killed. */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Served {
  url: string;
  proc: ChildProcess;
  /** SIGTERM and wait for the exit (a clean stop). */
  stop(): Promise<void>;
  /** SIGKILL: no cleanup at all, as a crash or an OOM kill. */
  kill9(): Promise<void>;
  stderr(): string;
  /** What the server printed on stdout (its request log), when started with `stdout: true`. */
  stdout(): string;
}

export interface ServeOptions {
  /** More arguments for `serve`, e.g. ['--processes', '2']. */
  args?: string[];
  /** Keep stdout (the JSON request log, with each process's pid) for stdout(). */
  stdout?: boolean;
  /**
   * Run `serve` as the one worker of another node:cluster primary (as a process manager's cluster mode does): it
   * forks the command with no marker of ours, never answers its messages, passes SIGTERM on and exits with it.
   */
  foreignPrimary?: boolean;
}

/** A node:cluster primary that is not ours: its arguments are the script to fork and the script's arguments. */
const FOREIGN_PRIMARY = `
import cluster from 'node:cluster';
const [exec, ...args] = process.argv.slice(1);
cluster.setupPrimary({ exec, args, execArgv: [] });
const worker = cluster.fork();
worker.on('message', () => undefined);
worker.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => worker.process.kill(s));
`;

export function startServe(env: Record<string, string>, opts: ServeOptions = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const command = [join(root, 'bin/undersigned.js'), 'serve', '--port', '0', '--host', '127.0.0.1', ...(opts.args ?? [])];
    const proc = spawn(process.execPath, opts.foreignPrimary ? ['--input-type=module', '-e', FOREIGN_PRIMARY, '--', ...command] : command, {
      cwd: root,
      env: { ...process.env, UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_DATABASE_URL: '', UNDERSIGNED_SCREENING: 'off', ...env },
      stdio: ['ignore', opts.stdout ? 'pipe' : 'ignore', 'pipe'],
    });
    let out = '';
    if (opts.stdout) {
      proc.stdout!.setEncoding('utf8');
      proc.stdout!.on('data', (d: string) => void (out += d));
    }
    let err = '';
    let started = false;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`undersigned serve did not start within 60 s:\n${err}`));
    }, 60_000);
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const waitExit = (signal: NodeJS.Signals) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
      proc.kill(signal);
      return exited;
    };
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => {
      err += d;
      const m = /listening on (?:.*):(\d+)\)/.exec(err);
      if (m && !started) {
        started = true;
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}`, proc, stop: () => waitExit('SIGTERM'), kill9: () => waitExit('SIGKILL'), stderr: () => err, stdout: () => out });
      }
    });
    proc.once('exit', (code) => {
      if (started) return;
      clearTimeout(timer);
      reject(new Error(`undersigned serve exited (${code}) before listening:\n${err}`));
    });
  });
}

/** Polls fn until it returns a value other than undefined, for at most ms. */
export async function eventually<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How long a test request waits for its answer (requestAlone, postJson) before it fails. */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * POST a JSON body; fails after timeoutMs without an answer. A connection that a `serve --processes N` primary handed
 * to a worker as it was killed is never answered nor closed (docs/decisions/0004): without a timeout the client would
 * wait for undici's headersTimeout (300 s).
 */
export async function postJson(url: string, body: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: r.status, body: parsed };
}

/**
 * One request on a connection of its own (no keep-alive pool): a server of several processes hands each new
 * connection to the next process, so requests made this way reach all of them. Fails after `timeoutMs` (default
 * REQUEST_TIMEOUT_MS) without the whole answer, as postJson does.
 */
export function requestAlone(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | undefined; localAddress?: string; timeoutMs?: number } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; json(): any }> {
  return new Promise((resolve, reject) => {
    const ms = init.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${ms} ms`)), ms);
    const req = request(url, { method: init.method ?? 'GET', headers: { connection: 'close', ...init.headers }, agent: false, ...(init.localAddress ? { localAddress: init.localAddress } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => void (text += d));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(init.body);
  });
}

/** POST a JSON body on a connection of its own (requestAlone). */
export async function postJsonAlone(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }> {
  const r = await requestAlone(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  let parsed: unknown = r.text;
  try {
    parsed = JSON.parse(r.text);
  } catch {
    // not JSON
  }
  return { status: r.status, body: parsed, headers: r.headers };
}

/** The pids that answered requests, from a server's JSON request log (`stdout: true`, log level info). */
export function answeringPids(stdout: string): Set<number> {
  const pids = new Set<number>();
  for (const line of stdout.split('\n')) {
    if (!line.includes('"request completed"')) continue;
    try {
      pids.add((JSON.parse(line) as { pid: number }).pid);
    } catch {
      // a partial line
    }
  }
  return pids;
}
