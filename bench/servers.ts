/** Server processes for the benchmarks: `undersigned serve` and the bare Fastify hello-world they are compared with. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface Server {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node ...args` and resolves once it prints "listening on (host:port)" (within 60 s). */
export function startProcess(args: string[], env: Record<string, string>, cwd = root): Promise<Server> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let stopping = false;
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s: ${err}`)), 60_000);
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => {
      if (process.env.BENCH_SERVER_LOG === '1') process.stderr.write(`[server ${proc.pid}] ${d}`);
      err += d;
      const m = /listening on (?:.*):(\d+)\)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          proc,
          stop: () =>
            new Promise<void>((done) => {
              stopping = true;
              if (proc.exitCode !== null) return done();
              proc.once('exit', () => done());
              proc.kill('SIGTERM');
              setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
            }),
        });
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      // After the start (the promise is settled then) a server that stops by itself says why, for the figures it ends.
      if (!stopping) process.stderr.write(`bench: server ${proc.pid} exited by itself (${signal ?? code}); its last words: ${err.slice(-3000)}\n`);
      reject(new Error(`server exited (${code}): ${err}`));
    });
  });
}

/**
 * The machine's ceiling for an HTTP answer from Node.js: a bare Fastify hello-world (bench/hello-world.mjs). With
 * `processes` > 1 the same under node:cluster (workers sharing one port, as `undersigned serve --processes N` does):
 * the ceiling to compare a several-process server with.
 */
export function startHelloWorld(processes = 1): Promise<Server> {
  return startProcess([join(root, 'bench/hello-world.mjs')], { HELLO_PROCESSES: String(processes) });
}

/**
 * `undersigned serve` on a free port, logging silent, rate limits off unless `rateLimit` is given; SQLite in
 * `dataDir` unless `extra` sets a database URL. `from` is the checkout to run (A/B runs against another one);
 * `processes` > 1 runs it as several processes on one port (`serve --processes N`).
 */
export function startUndersigned(
  dataDir: string,
  extra: Record<string, string> = {},
  opts: { from?: string; nodeArgs?: string[]; rateLimit?: string; processes?: number } = {},
): Promise<Server> {
  const from = opts.from ?? root;
  // `--processes` only when asked for, so that an older checkout (an A/B run) that lacks it still starts.
  const processes = opts.processes && opts.processes > 1 ? ['--processes', String(opts.processes)] : [];
  return startProcess([...(opts.nodeArgs ?? []), join(from, 'bin/undersigned.js'), 'serve', '--port', '0', '--host', '127.0.0.1', ...processes], {
    UNDERSIGNED_DATA_DIR: dataDir,
    UNDERSIGNED_RATE_LIMIT: opts.rateLimit ?? 'off',
    UNDERSIGNED_SCREENING: 'off',
    UNDERSIGNED_LOG_LEVEL: 'silent',
    UNDERSIGNED_BASE_URL: 'http://bench.example',
    UNDERSIGNED_DATABASE_URL: '',
    ...extra,
  });
}

/** CPU seconds (user + system) used so far by a process and its live descendants (Linux /proc), or NaN elsewhere. */
export function treeCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stats = new Map<number, { ppid: number; cpu: number }>();
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        // Fields after "(comm) ": state ppid … utime (12th) stime (13th), in clock ticks (100 per second).
        const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ');
        stats.set(Number(d), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 });
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return NaN;
  }
  if (!stats.has(pid)) return NaN;
  let total = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    total += stats.get(p)?.cpu ?? 0;
    for (const [child, s] of stats) if (s.ppid === p) todo.push(child);
  }
  return total;
}
