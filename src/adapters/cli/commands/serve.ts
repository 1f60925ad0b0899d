import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import type { Config } from '../../../config.ts';
import type { Command } from '../types.ts';
import { CliError } from '../types.ts';
import { runPrimary } from '../../cluster/primary.ts';
import { isUndersignedWorker } from '../../cluster/worker.ts';

/** The one line a start prints (benchmarks and tests read `listening on HOST:PORT)` from it). */
function banner(config: Config, host: string, port: number, processes?: { pids: number[] }): string {
  const procs = processes ? `; ${processes.pids.length} processes (pids ${processes.pids.join(', ')})` : '';
  return `Undersigned is serving ${config.baseUrl} (listening on ${host}:${port}); data in ${config.databaseUrl ? 'PostgreSQL' : config.dataDir}; mail ${config.smtpUrl ? 'via SMTP' : 'captured in the dev outbox'}${procs}.\n${reach(config, host)}\n`;
}

/** Who can reach the server, said at every start: only this machine unless the address says otherwise. */
function reach(config: Config, host: string): string {
  const local = host === 'localhost' || host === '::1' || /^127\./.test(host);
  const who = local ? `Only this machine can reach it (${host}); set UNDERSIGNED_HOST=0.0.0.0 (or --host) to serve other machines.` : `Other machines can reach it (${host}).`;
  return config.dev ? `${who} Development pages (/dev/outbox) answer loopback clients only.` : who;
}

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'Run the web server (and the mail worker)',
  help: `Usage: undersigned serve [--port N] [--host ADDR] [--data-dir DIR] [--processes N|auto]

Serves the letters, the organiser pages and the JSON API. Mail is sent through UNDERSIGNED_SMTP_URL,
or captured in DATA_DIR/outbox (read it with \`undersigned mail outbox\` or at /dev/outbox).

--processes N   run N server processes on this machine, sharing the port (UNDERSIGNED_PROCESSES;
                \`auto\`: one per core). On SQLite they share the database file and, without Redis,
                the rate limits through the first process; a process that dies is replaced.
Stops cleanly on SIGINT/SIGTERM.`,
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' }, processes: { type: 'string' } }, strict: true });
    if (values.port !== undefined && !/^\d{1,5}$/.test(values.port)) throw new CliError(`--port must be a number, got "${values.port}"`);
    const opts = { port: values.port === undefined ? undefined : Number(values.port), worker: true, processes: values.processes };
    const config = ctx.config?.(opts);
    const ourWorker = isUndersignedWorker();
    if (config && ctx.clusterPrimary && cluster.isPrimary && config.processes > 1) {
      // The primary: storage prepared once, then the workers (each runs this command again, as a worker, below).
      const host = values.host ?? config.host;
      const primary = await ctx.clusterPrimary(config);
      return runPrimary({
        processes: config.processes,
        io: ctx.io,
        banner: (port, pids) => banner(config, host, port, { pids }),
        onWorkerMessage: (m) => primary.onWorkerMessage(m),
      });
    }
    // A worker of another node:cluster primary (a process manager's cluster mode) cannot fork workers of its own: it
    // serves as one process, as the process manager asked.
    if (config && cluster.isWorker && !ourWorker && config.processes > 1) {
      ctx.io.err(`undersigned: --processes ${config.processes} ignored: this process is a worker of another cluster primary (a process manager's cluster mode?), and serves as one process.\n`);
    }
    const app = await ctx.app(opts);
    const http = await app.http();
    const host = values.host ?? app.config.host;
    await http.listen({ port: app.config.port, host });
    const addr = http.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : app.config.port;
    // Our primary prints the line once for all its workers; a single process, or a worker of another primary, prints it.
    if (!ourWorker) ctx.io.err(banner(app.config, host, port));
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    if (!ourWorker) ctx.io.err('Stopping…\n');
    await app.close();
    return 0;
  },
};
