import { parseArgs } from 'node:util';
import type { Command } from '../types.ts';
import { CliError } from '../types.ts';

export const mailOutbox: Command = {
  path: ['mail', 'outbox'],
  summary: 'Show mail captured by the dev outbox (newest first)',
  help: `Usage: undersigned mail outbox [--limit N] [--json] [--data-dir DIR]

Without UNDERSIGNED_SMTP_URL, mail is not sent but captured in DATA_DIR/outbox. This prints it, with links.
--json prints {"mails":[{"to","subject","text","lang","template","capturedAt"}]}.`,
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: { limit: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, strict: true });
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a positive whole number, got "${values.limit}"`);
    const app = await ctx.app();
    if (!app.devOutbox) throw new CliError('Mail is sent through UNDERSIGNED_SMTP_URL, so there is no dev outbox to read.');
    // Deliver anything still queued (e.g. created by this CLI while no server runs).
    await app.deliverMail();
    const mails = app.devOutbox(limit);
    if (values.json) ctx.io.out(JSON.stringify({ mails }) + '\n');
    else if (!mails.length) ctx.io.out('The dev outbox is empty.\n');
    else ctx.io.out(mails.map((m) => `── ${m.capturedAt} · ${m.template} · to ${m.to}\nSubject: ${m.subject}\n\n${m.text}`).join('\n') + '\n');
    return 0;
  },
};
