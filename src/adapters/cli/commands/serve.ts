import { parseArgs } from 'node:util';
import type { Command } from '../types.ts';
import { CliError } from '../types.ts';

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'Run the web server (and the mail worker)',
  help: `Usage: undersigned serve [--port N] [--host ADDR] [--data-dir DIR]

Serves the letters, the organiser pages and the JSON API. Mail is sent through UNDERSIGNED_SMTP_URL,
or captured in DATA_DIR/outbox (read it with \`undersigned mail outbox\` or at /dev/outbox).
Stops cleanly on SIGINT/SIGTERM.`,
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' } }, strict: true });
    if (values.port !== undefined && !/^\d{1,5}$/.test(values.port)) throw new CliError(`--port must be a number, got "${values.port}"`);
    const app = await ctx.app({ port: values.port === undefined ? undefined : Number(values.port), worker: true });
    const http = await app.http();
    const host = values.host ?? app.config.host;
    await http.listen({ port: app.config.port, host });
    const addr = http.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : app.config.port;
    ctx.io.err(`Undersigned is serving ${app.config.baseUrl} (listening on ${host}:${port}); data in ${app.config.databaseUrl ? 'PostgreSQL' : app.config.dataDir}; mail ${app.config.smtpUrl ? 'via SMTP' : 'captured in the dev outbox'}.\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    ctx.io.err('Stopping…\n');
    await app.close();
    return 0;
  },
};
