/**
 * Operator commands around the log's personal data and removals: `erase` (on a signer's request),
 * `signature remove` (an organiser's removal with a public reason) and `letter retention` (how long personal data
 * of withdrawn signatures — and of a closed letter — is kept before it is erased).
 */
import { parseArgs } from 'node:util';
import type { Command } from '../types.ts';
import { CliError } from '../types.ts';
import { eraseExpired, eraseOnRequest, setRetention } from '../../../use-cases/erase.ts';
import { isRemovalReason, removeSignature } from '../../../use-cases/remove-signature.ts';
import { mailboxKeyOf } from '../../../core/signatures/mailbox.ts';

export const eraseCommand: Command = {
  path: ['erase'],
  summary: "Erase a signer's personal data (withdrawing a confirmed signature first)",
  help: `Usage: undersigned erase --letter SLUG --email ADDRESS [--json] [--data-dir DIR]

For an erasure request (GDPR Art. 17). A confirmed signature is first removed with the public reason "signer"
(a \`remove\` entry in the log), then the email, names, title, country, both commitment openings, the signer's
links and any mail still held for the address are deleted. The log entry stays and still verifies; without its
openings it can no longer be linked to the person.`,
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: { letter: { type: 'string' }, email: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, strict: true });
    if (!values.letter || !values.email) throw new CliError('--letter and --email are required (see --help)');
    const { services, drainLog } = await ctx.app();
    const r = await eraseOnRequest(services.deps, values.letter, values.email);
    await drainLog();
    if (values.json) ctx.io.out(JSON.stringify({ erased: true, removed: r.removed, signature: r.signatureId }) + '\n');
    else ctx.io.out(`Erased the personal data of signature ${r.signatureId}${r.removed ? ' (removed first, reason "signer", recorded in the log)' : ''}.\n`);
    return 0;
  },
};

export const signatureRemoveCommand: Command = {
  path: ['signature', 'remove'],
  summary: 'Remove a confirmed signature with a public reason (signer, duplicate, fraud, legal)',
  help: `Usage: undersigned signature remove --letter SLUG (--id ID | --email ADDRESS) --reason signer|duplicate|fraud|legal [--data-dir DIR]

The signature stops counting and a \`remove\` entry with the reason goes into the public log; the letter page shows
the number of removals per reason.`,
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: { letter: { type: 'string' }, id: { type: 'string' }, email: { type: 'string' }, reason: { type: 'string' }, 'data-dir': { type: 'string' } }, strict: true });
    if (!values.letter || (!values.id && !values.email) || !values.reason) throw new CliError('--letter, --id or --email, and --reason are required (see --help)');
    if (!isRemovalReason(values.reason)) throw new CliError('--reason must be signer, duplicate, fraud or legal');
    const { services, drainLog } = await ctx.app();
    const { store } = services.deps;
    const letter = await store.letters.bySlug(values.letter);
    if (!letter) throw new CliError(`no letter ${values.letter}`, 1);
    const id = values.id ?? (await store.signatures.byEmail(letter.id, mailboxKeyOf(values.email!)))?.id;
    if (!id) throw new CliError('no such signature on this letter', 1);
    await removeSignature(services.deps, values.letter, id, values.reason, undefined);
    await drainLog();
    ctx.io.out(`Removed signature ${id} (reason: ${values.reason}).\n`);
    return 0;
  },
};

export const letterRetentionCommand: Command = {
  path: ['letter', 'retention'],
  summary: 'Set how many days personal data of withdrawn signatures (and of a closed letter) is kept',
  help: `Usage: undersigned letter retention --letter SLUG --days N|off [--erase-now] [--data-dir DIR]

After N days, the personal data of withdrawn or removed signatures is erased, and once the letter has been closed
for N days, that of every signature (which keep counting and show as "erased" on the list). The server applies it
hourly; --erase-now applies it at once.`,
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: { letter: { type: 'string' }, days: { type: 'string' }, 'erase-now': { type: 'boolean' }, 'data-dir': { type: 'string' } }, strict: true });
    if (!values.letter || !values.days) throw new CliError('--letter and --days are required (see --help)');
    const days = values.days === 'off' ? undefined : Number(values.days);
    const { deps } = (await ctx.app()).services;
    await setRetention(deps, values.letter, days, undefined);
    ctx.io.out(days === undefined ? `Personal data of ${values.letter} is kept while the letter lives.\n` : `Personal data of ${values.letter} is erased ${days} days after withdrawal (and after closing).\n`);
    if (values['erase-now']) ctx.io.out(`Erased now: ${await eraseExpired(deps)}.\n`);
    return 0;
  },
};
