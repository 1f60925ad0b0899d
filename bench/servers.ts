/** Server processes for the benchmarks: `undersigned serve` and the bare Fastify hello-world they are compared with. */
import { spawn, type ChildProcess } from 'node:child_process';
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
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s: ${err}`)), 60_000);
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => {
      err += d;
      const m = /listening on (?:.*):(\d+)\)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          proc,
          stop: () =>
            new Promise<void>((done) => {
              if (proc.exitCode !== null) return done();
              proc.once('exit', () => done());
              proc.kill('SIGTERM');
              setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
            }),
        });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}): ${err}`));
    });
  });
}

/** The machine's ceiling for an HTTP answer from Node.js: Fastify answering a constant JSON object. */
const HELLO = `import Fastify from 'fastify';
const f = Fastify({ logger: false });
f.get('/', async () => ({ hello: 'world' }));
await f.listen({ port: 0, host: '127.0.0.1' });
process.stderr.write('listening on (127.0.0.1:' + f.server.address().port + ')\\n');
process.on('SIGTERM', () => f.close().then(() => process.exit(0)));`;

export function startHelloWorld(): Promise<Server> {
  return startProcess(['--input-type=module', '-e', HELLO], {});
}

/**
 * `undersigned serve` on a free port, logging silent, rate limits off unless `rateLimit` is given; SQLite in
 * `dataDir` unless `extra` sets a database URL. `from` is the checkout to run (A/B runs against another one).
 */
export function startUndersigned(
  dataDir: string,
  extra: Record<string, string> = {},
  opts: { from?: string; nodeArgs?: string[]; rateLimit?: string } = {},
): Promise<Server> {
  const from = opts.from ?? root;
  return startProcess([...(opts.nodeArgs ?? []), join(from, 'bin/undersigned.js'), 'serve', '--port', '0', '--host', '127.0.0.1'], {
    UNDERSIGNED_DATA_DIR: dataDir,
    UNDERSIGNED_RATE_LIMIT: opts.rateLimit ?? 'off',
    UNDERSIGNED_LOG_LEVEL: 'silent',
    UNDERSIGNED_BASE_URL: 'http://bench.example',
    UNDERSIGNED_DATABASE_URL: '',
    ...extra,
  });
}
