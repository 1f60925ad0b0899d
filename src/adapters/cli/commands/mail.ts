import { parseArgs } from 'node:util';
import type { Command } from '../types.ts';
import { CliError } from '../types.ts';
import { readDevOutbox } from '../../mail/dev-outbox.ts';

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
    if (!app.devOutboxDir) throw new CliError('Mail is sent through UNDERSIGNED_SMTP_URL, so there is no dev outbox to read.');
    // Deliver anything still queued (e.g. created by this CLI while no server runs).
    const { deliverDue } = await import('../../../use-cases/deliver-outbox.ts');
    while ((await deliverDue(app.deps, app.mailer)).sent > 0);
    const mails = readDevOutbox(app.devOutboxDir, limit).map(({ file: _f, ...m }) => m);
    if (values.json) ctx.io.out(JSON.stringify({ mails }) + '\n');
    else if (!mails.length) ctx.io.out('The dev outbox is empty.\n');
    else ctx.io.out(mails.map((m) => `── ${m.capturedAt} · ${m.template} · to ${m.to}\nSubject: ${m.subject}\n\n${m.text}`).join('\n') + '\n');
    return 0;
  },
};
