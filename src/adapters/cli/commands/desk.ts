/**
 * The organiser's desk from the command line: a letter's state (`letter publish|close|reopen SLUG`), its organisers
 * (`letter organisers add|remove|list SLUG [EMAIL] [--role owner|moderator]`) and the instance admins and approvals
 * (`admin add|remove|list|approve|revoke [EMAIL]`). The CLI acts as the local operator, allowed everything.
 */
import { parseArgs } from 'node:util';
import { DomainError } from '../../../core/errors.ts';
import type { LetterState } from '../../../core/model.ts';
import { describePolicy } from '../../../core/organisers/policy.ts';
import { setLetterState } from '../../../use-cases/edit-letter.ts';
import { addOrganiser, isOrganiserRole, listOrganisers, removeOrganiser } from '../../../use-cases/manage-organisers.ts';
import { addAdmin, approveOrganiser, listAdmins, removeAdmin, revokeOrganiser } from '../../../use-cases/instance-admins.ts';
import { createApiToken, listApiTokens, revokeApiToken } from '../../../use-cases/organiser-tokens.ts';
import { CliError, type Command } from '../types.ts';
import { describeFields } from './describe.ts';

/** Refusals print their code and the fields they name; exit code 1 (the request was understood and refused). */
async function refusing<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DomainError) throw new CliError(`${what}: ${e.code}: ${e.message}${describeFields(e)}`, 1);
    throw e;
  }
}

function positionalsOf(args: string[], n: number, usage: string, extra: Record<string, { type: 'string' | 'boolean' }> = {}) {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, 'data-dir': { type: 'string' }, ...extra }, allowPositionals: true, strict: true });
  if (positionals.length !== n) throw new CliError(`expected ${n === 1 ? 'one argument' : `${n} arguments`}.\n\n${usage}`);
  return { values: values as Record<string, string | boolean | undefined>, positionals };
}

const STATE_OF = { publish: 'open', close: 'closed', reopen: 'open' } as const satisfies Record<string, LetterState>;

function stateCommand(verb: keyof typeof STATE_OF): Command {
  const help = `Usage: undersigned letter ${verb} SLUG [--json] [--data-dir DIR]

${verb === 'publish' ? 'Publishes a draft letter: it takes signatures and its text enters the transparency log.' : verb === 'close' ? 'Closes an open letter to new signatures (the list stays public).' : 'Reopens a closed letter to signatures.'}
Prints the slug and the new state (--json: {"slug","state"}). Exit codes: 0 done, 1 refused (the code says why), 2 bad arguments.`;
  return {
    path: ['letter', verb],
    summary: verb === 'publish' ? 'Publish a draft letter' : verb === 'close' ? 'Close a letter to new signatures' : 'Reopen a closed letter',
    help,
    async run(args, ctx) {
      const { values, positionals } = positionalsOf(args, 1, help);
      const slug = positionals[0]!;
      const app = await ctx.app();
      const letter = await refusing(`letter ${verb} ${slug}`, async () => {
        // reopen is closed → open only; publish is draft → open only: the words must mean what they do
        const current = await app.services.deps.store.letters.bySlug(slug);
        if (current && verb === 'reopen' && current.state !== 'closed') throw new DomainError('LETTER_ILLEGAL_TRANSITION', `A ${current.state} letter cannot be reopened`);
        if (current && verb === 'publish' && current.state === 'closed') throw new DomainError('LETTER_ILLEGAL_TRANSITION', 'A closed letter is reopened, not published (undersigned letter reopen)');
        return setLetterState(app.services.deps, slug, STATE_OF[verb], undefined);
      });
      await app.drainLog();
      if (values.json) ctx.io.out(JSON.stringify({ slug: letter.slug, state: letter.state }) + '\n');
      else ctx.io.out(`${letter.slug} is ${letter.state}\n`);
      return 0;
    },
  };
}

const ORG_HELP = `Usage: undersigned letter organisers add SLUG EMAIL [--role owner|moderator]
       undersigned letter organisers remove SLUG EMAIL
       undersigned letter organisers list SLUG [--json]

Owners manage the letter (text, publishing, organisers, exports with addresses); moderators review duplicates and
remove signatures. Adding someone who organises already changes their role. The last owner cannot be removed or
made a moderator (LAST_OWNER). Exit codes: 0 done, 1 refused (the code says why), 2 bad arguments.`;

const organisersAdd: Command = {
  path: ['letter', 'organisers', 'add'],
  summary: 'Add an organiser to a letter (owner or moderator)',
  help: ORG_HELP,
  async run(args, ctx) {
    const { values, positionals } = positionalsOf(args, 2, ORG_HELP, { role: { type: 'string' } });
    const role = (values.role as string | undefined) ?? 'owner';
    if (!isOrganiserRole(role)) throw new CliError(`--role is owner or moderator, got "${role}"`);
    const [slug, email] = positionals as [string, string];
    const app = await ctx.app();
    const r = await refusing(`letter organisers add ${slug}`, () => addOrganiser(app.services.deps, slug, email, role, undefined));
    if (values.json) ctx.io.out(JSON.stringify(r) + '\n');
    else ctx.io.out(r.changed ? `${r.email} is now ${r.role} of ${slug}\n` : `${r.email} was ${r.role} of ${slug} already\n`);
    return 0;
  },
};

const organisersRemove: Command = {
  path: ['letter', 'organisers', 'remove'],
  summary: 'Remove an organiser from a letter',
  help: ORG_HELP,
  async run(args, ctx) {
    const { values, positionals } = positionalsOf(args, 2, ORG_HELP);
    const [slug, email] = positionals as [string, string];
    const app = await ctx.app();
    await refusing(`letter organisers remove ${slug}`, () => removeOrganiser(app.services.deps, slug, email, undefined));
    ctx.io.out(values.json ? JSON.stringify({ removed: email.trim().toLowerCase() }) + '\n' : `${email} no longer organises ${slug}\n`);
    return 0;
  },
};

const organisersList: Command = {
  path: ['letter', 'organisers', 'list'],
  summary: "List a letter's organisers and their roles",
  help: ORG_HELP,
  async run(args, ctx) {
    const { values, positionals } = positionalsOf(args, 1, ORG_HELP);
    const app = await ctx.app();
    const rows = await refusing(`letter organisers list ${positionals[0]}`, () => listOrganisers(app.services.deps, positionals[0]!, undefined));
    if (values.json) ctx.io.out(JSON.stringify({ organisers: rows }) + '\n');
    else ctx.io.out(rows.length ? rows.map((r) => `${r.email}\t${r.role}`).join('\n') + '\n' : 'No organisers: only the operator (this CLI) manages this letter.\n');
    return 0;
  },
};

const ADMIN_HELP = `Usage: undersigned admin add|remove EMAIL
       undersigned admin approve|revoke EMAIL
       undersigned admin list [--json]

Instance admins may always create letters. UNDERSIGNED_ORGANISERS decides who else may: \`open\` (anyone who can
receive mail), a list of emails and @domains (the default with real SMTP; empty: only admins), or \`approval\`: a new
organiser's first attempt to create a letter is recorded as a request, which \`admin approve EMAIL\` grants and
\`admin revoke EMAIL\` refuses or withdraws. Exit codes: 0 done, 1 refused (the code says why), 2 bad arguments.`;

function adminCommand(verb: 'add' | 'remove' | 'approve' | 'revoke', summary: string): Command {
  return {
    path: ['admin', verb],
    summary,
    help: ADMIN_HELP,
    async run(args, ctx) {
      const { values, positionals } = positionalsOf(args, 1, ADMIN_HELP);
      const email = positionals[0]!;
      const app = await ctx.app();
      const deps = app.services.deps;
      const changed = await refusing(`admin ${verb}`, async () => {
        if (verb === 'add') return addAdmin(deps, email);
        if (verb === 'remove') return removeAdmin(deps, email).then(() => true);
        if (verb === 'approve') return approveOrganiser(deps, email);
        return revokeOrganiser(deps, email);
      });
      const who = email.trim().toLowerCase();
      const said = { add: ['is now an admin', 'was an admin already'], remove: ['is no longer an admin', ''], approve: ['may create letters', 'was approved already'], revoke: ['may no longer create letters', 'was revoked already'] }[verb];
      if (values.json) ctx.io.out(JSON.stringify({ email: who, changed }) + '\n');
      else ctx.io.out(`${who} ${changed ? said[0] : said[1]}\n`);
      return 0;
    },
  };
}

const adminList: Command = {
  path: ['admin', 'list'],
  summary: 'List instance admins, organiser requests and who may organise',
  help: ADMIN_HELP,
  async run(args, ctx) {
    const { values } = positionalsOf(args, 0, ADMIN_HELP);
    const app = await ctx.app();
    const { admins, approvals } = await listAdmins(app.services.deps);
    const policy = app.config.organisers;
    if (values.json) ctx.io.out(JSON.stringify({ policy, admins, approvals }) + '\n');
    else {
      const out = [`Who may organise: ${describePolicy(policy)}`, '', 'Admins:', ...(admins.length ? admins.map((a) => `  ${a.email}\t(since ${a.addedAt})`) : ['  (none)'])];
      if (approvals.length) out.push('', 'Organisers asking or approved:', ...approvals.map((a) => `  ${a.email}\t${a.status}`));
      ctx.io.out(out.join('\n') + '\n');
    }
    return 0;
  },
};

const TOKEN_HELP = `Usage: undersigned token create --email EMAIL [--letter SLUG] [--expires DAYS] [--json]
       undersigned token revoke ID
       undersigned token list [--email EMAIL] [--json]

An organiser API token acts as its organiser (with their role at each call) on the organiser API:
  GET  /api/v1/organise/letters/{slug}/signatures   (?format=json|csv and filters)
  POST /api/v1/organise/letters/{slug}/removals     ({"filter", "ids", "reason", "dryRun"})
sent as "Authorization: Bearer usd_…". The token is printed once and stored only as a hash; --letter limits it to
one letter (the address must organise it), --expires to DAYS days. Exit codes: 0 done, 1 refused, 2 bad arguments.`;

const tokenCreate: Command = {
  path: ['token', 'create'],
  summary: 'Create an organiser API token (printed once)',
  help: TOKEN_HELP,
  async run(args, ctx) {
    const { values } = positionalsOf(args, 0, TOKEN_HELP, { email: { type: 'string' }, letter: { type: 'string' }, expires: { type: 'string' } });
    if (!values.email) throw new CliError(`--email is required.\n\n${TOKEN_HELP}`);
    const days = values.expires === undefined ? undefined : Number(values.expires);
    const app = await ctx.app();
    const { token, record } = await refusing('token create', () => createApiToken(app.services.deps, String(values.email), { letterSlug: values.letter as string | undefined, days }));
    if (values.json) ctx.io.out(JSON.stringify({ id: record.id, token, email: record.email, letter: values.letter ?? null, expiresAt: record.expiresAt ?? null }) + '\n');
    else ctx.io.out(`${token}\n\nid ${record.id} for ${record.email}${values.letter ? ` on ${values.letter}` : ''}${record.expiresAt ? `, expires ${record.expiresAt}` : ''}.\nKeep it secret: it is shown only now (revoke: undersigned token revoke ${record.id}).\n`);
    return 0;
  },
};

const tokenRevoke: Command = {
  path: ['token', 'revoke'],
  summary: 'Revoke an organiser API token',
  help: TOKEN_HELP,
  async run(args, ctx) {
    const { values, positionals } = positionalsOf(args, 1, TOKEN_HELP);
    const app = await ctx.app();
    const changed = await refusing('token revoke', () => revokeApiToken(app.services.deps, positionals[0]!));
    ctx.io.out(values.json ? JSON.stringify({ id: positionals[0], changed }) + '\n' : `${positionals[0]} ${changed ? 'revoked' : 'was revoked already'}\n`);
    return 0;
  },
};

const tokenList: Command = {
  path: ['token', 'list'],
  summary: 'List organiser API tokens (never the tokens themselves)',
  help: TOKEN_HELP,
  async run(args, ctx) {
    const { values } = positionalsOf(args, 0, TOKEN_HELP, { email: { type: 'string' } });
    const app = await ctx.app();
    const tokens = await listApiTokens(app.services.deps, values.email as string | undefined);
    if (values.json) ctx.io.out(JSON.stringify({ tokens }) + '\n');
    else ctx.io.out(tokens.length ? tokens.map((t) => `${t.id}\t${t.email}\t${t.revokedAt ? 'revoked' : t.expiresAt ?? 'no expiry'}`).join('\n') + '\n' : 'No tokens.\n');
    return 0;
  },
};

export const deskCommands: Command[] = [
  tokenCreate, tokenRevoke, tokenList,
  stateCommand('publish'), stateCommand('close'), stateCommand('reopen'),
  organisersAdd, organisersRemove, organisersList,
  adminCommand('add', 'Make an address an instance admin'), adminCommand('remove', 'Remove an instance admin'),
  adminCommand('approve', 'Let an address create letters (UNDERSIGNED_ORGANISERS=approval)'),
  adminCommand('revoke', 'Refuse or withdraw an address\'s permission to create letters'), adminList,
];
