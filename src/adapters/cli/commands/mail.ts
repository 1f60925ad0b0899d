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
    else ctx.io.out(mails.map((m) => `── ${shown(m.capturedAt)} · ${shown(m.template)} · to ${shown(m.to)}\nSubject: ${shown(m.subject)}\n\n${shown(m.text, true)}`).join('\n') + '\n');
    return 0;
  },
};

/**
 * Text for a terminal: control characters (escape sequences could move the cursor, retitle the window or hide
 * lines) shown as `\u{…}` escapes; newlines and tabs kept in a mail's body.
 */
export function shown(text: string, multiline = false): string {
  const re = multiline ? /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/gu : /[\u0000-\u001F\u007F-\u009F]/gu;
  return text.replace(re, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
