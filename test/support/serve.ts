/** Real `undersigned serve` processes for the multi-process and crash tests: started on a free port, stopped or killed. */
import { spawn, type ChildProcess } from 'node:child_process';
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
}

export function startServe(env: Record<string, string>): Promise<Served> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(root, 'bin/undersigned.js'), 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd: root,
      env: { ...process.env, UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_DATABASE_URL: '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
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
        resolve({ url: `http://127.0.0.1:${m[1]}`, proc, stop: () => waitExit('SIGTERM'), kill9: () => waitExit('SIGKILL'), stderr: () => err });
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

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: r.status, body: parsed };
}
