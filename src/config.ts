/**
 * Settings: environment variables prefixed UNDERSIGNED_ (and CLI flags where natural), read once here.
 * A bad value stops the start with a message that names the variable.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseOrganiserPolicy, type OrganiserPolicy } from './core/organisers/policy.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  baseUrl: string;
  /** False when the base URL was made up from the port (development): the log then keeps the origin it was made with. */
  baseUrlExplicit: boolean;
  /** nodemailer SMTP URL; undefined → mail is captured in the dev outbox (<data>/outbox). */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** SMTP connections kept open (nodemailer's pool); the outbox claims in proportion. */
  smtpPool: number;
  /** DKIM signing of every mail (nodemailer's own), when domain, selector and key are all set. */
  dkim: { domain: string; selector: string; privateKey: string } | undefined;
  /** Mails waiting past which the signing answer says the mail may take a few minutes (nothing is refused). */
  mailBacklogLimit: number;
  /** Signing attempts per IP per minute; undefined when rate limiting is off (benchmarks). */
  rateLimitPerMinute: number | undefined;
  /** postgres://… selects PostgreSQL; otherwise SQLite in the data directory. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /**
   * Which peers are proxies whose X-Forwarded-For is believed: false (none), a number of hops in front of us, or
   * addresses and CIDR ranges. The client is the rightmost address not trusted (docs/security.md).
   */
  trustProxy: false | number | string[];
  /** Host header values served besides the base URL's host and loopback names (UNDERSIGNED_ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** Development pages (the outbox viewer): only while mail is captured, and only to loopback clients. */
  dev: boolean;
  cookieSecret: string | undefined;
  logLevel: string;
  logKey: string | undefined;
  logOrigin: string | undefined;
  /** Server processes of `serve` on this machine (node:cluster when more than 1; src/adapters/cluster/primary.ts). */
  processes: number;
  /** PostgreSQL: hot statements as named statements, prepared once per connection; off behind PgBouncer in transaction mode. */
  pgNamedStatements: boolean;
  /** Who may create letters: open, a list of emails and @domains, or admin approval (UNDERSIGNED_ORGANISERS). */
  organisers: OrganiserPolicy;
  /** The browser that draws PDFs and share cards (Debian chromium). */
  chromiumPath: string;
  /** Interface fallback chains for page languages without a catalogue (UNDERSIGNED_LANG_FALLBACK), e.g. ckb → fa. */
  langFallback: Record<string, string[]>;
  /** Where signers write to see, correct or erase their data (UNDERSIGNED_CONTACT), named on the privacy page. */
  contact: string | undefined;
  /** Whether signings are screened and held (UNDERSIGNED_SCREENING, on by default; off for benchmarks and tests of other things). */
  screening: boolean;
  /** The proof-of-work challenge's largest counter (UNDERSIGNED_POW_COST): the solver tries about half as many hashes. */
  powCost: number;
  /** Signings a letter takes an hour per client address, /24 or /64 prefix and email domain, and a minute for the whole letter, before further ones are held (UNDERSIGNED_HOLD_LIMITS). */
  holdLimits: HoldLimits;
}

export interface HoldLimits {
  address: number;
  prefix: number;
  domain: number;
  burst: number;
}

/** Measured in chromium at 4× CPU throttling (docs/security.md): about a second. */
export const DEFAULT_POW_COST = 50_000;

export const DEFAULT_HOLD_LIMITS: HoldLimits = { address: 8, prefix: 30, domain: 50, burst: 300 };

/** `address=8,prefix=30,domain=50,burst=300` (any subset; the rest keep their defaults). */
export function holdLimitsOf(raw: string | undefined): HoldLimits {
  const out = { ...DEFAULT_HOLD_LIMITS };
  for (const part of (raw ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const [k, v, ...rest] = part.split('=');
    const n = Number(v);
    if (rest.length || !k || !(k in out) || !/^\d+$/.test(v ?? '') || n < 1 || n > 1_000_000_000) {
      throw new ConfigError(`UNDERSIGNED_HOLD_LIMITS must look like "address=8,prefix=30,domain=50,burst=300" (positive whole numbers), got "${part}"`);
    }
    out[k as keyof HoldLimits] = n;
  }
  return out;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return v;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return def;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function onOff(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = raw.trim().toLowerCase();
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new ConfigError(`${name} must be on or off, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(u.protocol)) throw new ConfigError(`${name} must start with ${protocols.map((p) => p + '//').join(' or ')}, got "${raw}"`);
  return raw;
}

/**
 * UNDERSIGNED_TRUST_PROXY: off (false, 0, empty), a number of proxy hops (1 = one proxy in front; `true` means 1),
 * or a comma-separated list of addresses and CIDR ranges of the proxies.
 */
export function trustProxySetting(raw: string | undefined, name = 'UNDERSIGNED_TRUST_PROXY'): false | number | string[] {
  const v = (raw ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v)) return 1;
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    if (n > 32) throw new ConfigError(`${name} must be a number of proxy hops from 0 to 32, or proxy addresses, got "${raw}"`);
    return n;
  }
  const list = v.split(',').map((x) => x.trim()).filter(Boolean);
  for (const item of list) {
    const [addr, bits, extra] = item.split('/');
    const kind = isIP(addr ?? '');
    const max = kind === 4 ? 32 : 128;
    const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (!kind || !okBits || extra !== undefined) {
      throw new ConfigError(`${name} must be a number of proxy hops (e.g. 1) or a comma-separated list of proxy addresses or CIDR ranges (e.g. 10.0.0.0/8,::1), got "${raw}": "${item}" is neither`);
    }
  }
  return list;
}

/** Most server processes: more than the cores only adds switching, and each process holds its own caches. */
export const MAX_PROCESSES = 256;

/** A process count: a whole number from 1 to MAX_PROCESSES, or `auto` (one per core this process may use). */
export function processCount(raw: string | undefined, name: string, def = 1): number {
  if (raw === undefined || raw === '') return def;
  if (raw.toLowerCase() === 'auto') return Math.min(availableParallelism(), MAX_PROCESSES);
  const v = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isInteger(v) || v < 1 || v > MAX_PROCESSES) throw new ConfigError(`${name} must be a whole number from 1 to ${MAX_PROCESSES} or "auto", got "${raw}"`);
  return v;
}

/** DKIM from its three settings: all or none; the key is PEM text or the path of a PEM file. */
function dkimOf(env: Env, cwd: string): Config['dkim'] {
  const domain = env.UNDERSIGNED_DKIM_DOMAIN?.trim();
  const selector = env.UNDERSIGNED_DKIM_SELECTOR?.trim();
  const key = env.UNDERSIGNED_DKIM_KEY?.trim();
  if (!domain && !selector && !key) return undefined;
  if (!domain || !selector || !key) {
    throw new ConfigError('UNDERSIGNED_DKIM_DOMAIN, UNDERSIGNED_DKIM_SELECTOR and UNDERSIGNED_DKIM_KEY go together: set all three or none');
  }
  if (!/^[a-z0-9.-]+$/i.test(domain)) throw new ConfigError(`UNDERSIGNED_DKIM_DOMAIN must be a domain name, got "${domain}"`);
  if (!/^[a-z0-9._-]+$/i.test(selector)) throw new ConfigError(`UNDERSIGNED_DKIM_SELECTOR must be a DNS label, got "${selector}"`);
  let privateKey = key;
  if (!key.includes('-----BEGIN')) {
    const path = resolve(cwd, key);
    try {
      privateKey = readFileSync(path, 'utf8');
    } catch {
      throw new ConfigError(`UNDERSIGNED_DKIM_KEY is neither a PEM key nor a readable file: ${path}`);
    }
    if (!privateKey.includes('-----BEGIN')) throw new ConfigError(`UNDERSIGNED_DKIM_KEY: ${path} holds no PEM key`);
  }
  return { domain: domain.toLowerCase(), selector, privateKey };
}

export function loadConfig(env: Env = process.env, flags: { port?: number | undefined; dataDir?: string | undefined; processes?: string | undefined } = {}, cwd = process.cwd()): Config {
  const port = flags.port ?? int(env, 'UNDERSIGNED_PORT', 3000, 0, 65535);
  const baseUrl = (url(env, 'UNDERSIGNED_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const smtpUrl = url(env, 'UNDERSIGNED_SMTP_URL', ['smtp:', 'smtps:']);
  const databaseUrl = url(env, 'UNDERSIGNED_DATABASE_URL', ['postgres:', 'postgresql:', 'sqlite:']);
  const redisUrl = url(env, 'UNDERSIGNED_REDIS_URL', ['redis:', 'rediss:']);
  const rl = env.UNDERSIGNED_RATE_LIMIT;
  let rateLimitPerMinute: number | undefined = 10;
  if (rl !== undefined && rl !== '') rateLimitPerMinute = rl.toLowerCase() === 'off' ? undefined : int(env, 'UNDERSIGNED_RATE_LIMIT', 10, 1, 1_000_000);
  const host = new URL(baseUrl).hostname;
  const logLevel = env.UNDERSIGNED_LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new ConfigError(`UNDERSIGNED_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${logLevel}"`);
  return {
    port,
    // Only this machine by default: serving others is a decision (UNDERSIGNED_HOST=0.0.0.0), said at start.
    host: env.UNDERSIGNED_HOST || '127.0.0.1',
    dataDir: resolve(cwd, flags.dataDir ?? env.UNDERSIGNED_DATA_DIR ?? 'data'),
    baseUrl,
    baseUrlExplicit: Boolean(env.UNDERSIGNED_BASE_URL),
    smtpUrl,
    mailFrom: env.UNDERSIGNED_MAIL_FROM || `Undersigned <no-reply@${host}>`,
    smtpPool: int(env, 'UNDERSIGNED_SMTP_POOL', 5, 1, 100),
    dkim: dkimOf(env, cwd),
    mailBacklogLimit: int(env, 'UNDERSIGNED_MAIL_BACKLOG_LIMIT', 5000, 1, 100_000_000),
    rateLimitPerMinute,
    databaseUrl: databaseUrl?.startsWith('sqlite:') ? undefined : databaseUrl,
    redisUrl,
    trustProxy: trustProxySetting(env.UNDERSIGNED_TRUST_PROXY),
    allowedHosts: (env.UNDERSIGNED_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
    // Never with real mail: the outbox page shows every signer's address and working links.
    dev: smtpUrl === undefined && bool(env, 'UNDERSIGNED_DEV', true),
    cookieSecret: env.UNDERSIGNED_COOKIE_SECRET || undefined,
    logLevel,
    logKey: env.UNDERSIGNED_LOG_KEY || undefined,
    logOrigin: env.UNDERSIGNED_LOG_ORIGIN || undefined,
    processes: flags.processes !== undefined ? processCount(flags.processes, '--processes') : processCount(env.UNDERSIGNED_PROCESSES, 'UNDERSIGNED_PROCESSES'),
    pgNamedStatements: onOff(env, 'UNDERSIGNED_PG_NAMED_STATEMENTS', true),
    organisers: organiserPolicy(env, smtpUrl !== undefined),
    chromiumPath: env.UNDERSIGNED_CHROMIUM || '/usr/bin/chromium',
    langFallback: langFallbacks(env.UNDERSIGNED_LANG_FALLBACK),
    contact: env.UNDERSIGNED_CONTACT?.trim() || undefined,
    screening: onOff(env, 'UNDERSIGNED_SCREENING', true),
    powCost: int(env, 'UNDERSIGNED_POW_COST', DEFAULT_POW_COST, 100, 100_000_000),
    holdLimits: holdLimitsOf(env.UNDERSIGNED_HOLD_LIMITS),
  };
}

/** With real mail and no setting: an empty list (only instance admins); without SMTP (development): open. */
function organiserPolicy(env: Env, realMail: boolean): OrganiserPolicy {
  const raw = env.UNDERSIGNED_ORGANISERS;
  if (raw === undefined || raw.trim() === '') return realMail ? { mode: 'list', emails: [], domains: [] } : { mode: 'open' };
  const p = parseOrganiserPolicy(raw);
  if (typeof p === 'string') throw new ConfigError(`UNDERSIGNED_ORGANISERS must be open, approval, or emails and @domains: ${p}`);
  return p;
}

const LANG_TAG = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;

/**
 * `ckb:fa,en ps:fa`: for each page language without a catalogue, the interface languages to try in order
 * (separated by spaces or semicolons); English is always the last resort.
 */
export function langFallbacks(raw: string | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entry of (raw ?? '').split(/[\s;]+/).filter(Boolean)) {
    const [lang, chain, ...rest] = entry.split(':');
    const langs = (chain ?? '').split(',').filter(Boolean);
    const bad = [lang ?? '', ...langs].find((l) => !LANG_TAG.test(l));
    if (rest.length || !lang || !langs.length || bad !== undefined) {
      throw new ConfigError(`UNDERSIGNED_LANG_FALLBACK must look like "ckb:fa,en ps:fa" (language:fallbacks), got "${entry}"`);
    }
    out[lang.toLowerCase()] = langs.map((l) => l.toLowerCase());
  }
  return out;
}

/** The table printed in the README and by `undersigned --help`. */
export const SETTINGS: [string, string, string][] = [
  ['UNDERSIGNED_PORT', '3000', 'HTTP port (`serve --port N`)'],
  ['UNDERSIGNED_HOST', '127.0.0.1', 'Address to listen on; 0.0.0.0 (or ::) serves other machines'],
  ['UNDERSIGNED_ALLOWED_HOSTS', '(unset)', 'More Host header values to serve besides the base URL\'s host, comma-separated'],
  ['UNDERSIGNED_DATA_DIR', './data', 'SQLite database, dev outbox, keys (`--data-dir DIR`)'],
  ['UNDERSIGNED_BASE_URL', 'http://localhost:PORT', 'Public base URL used in every link'],
  ['UNDERSIGNED_SMTP_URL', '(unset: dev outbox)', 'nodemailer SMTP URL, e.g. smtp://127.0.0.1:2525'],
  ['UNDERSIGNED_MAIL_FROM', 'Undersigned <no-reply@HOST>', 'From address of mails'],
  ['UNDERSIGNED_SMTP_POOL', '5', 'SMTP connections kept open; the outbox sends over all of them at once'],
  ['UNDERSIGNED_DKIM_DOMAIN', '(unset)', 'DKIM: signing domain (with _SELECTOR and _KEY)'],
  ['UNDERSIGNED_DKIM_SELECTOR', '(unset)', 'DKIM: selector (the DNS record is SELECTOR._domainkey.DOMAIN)'],
  ['UNDERSIGNED_DKIM_KEY', '(unset)', 'DKIM: private key, PEM text or the path of a PEM file'],
  ['UNDERSIGNED_MAIL_BACKLOG_LIMIT', '5000', 'Mails waiting past which signers are told their mail may take a few minutes'],
  ['UNDERSIGNED_RATE_LIMIT', '10', 'Signing attempts per IP per minute; `off` disables (benchmarks)'],
  ['UNDERSIGNED_SCREENING', 'on', 'Hold signings without proof of work, over a limit, from disposable domains or with the honeypot filled (`off`: none is held; benchmarks)'],
  ['UNDERSIGNED_POW_COST', String(DEFAULT_POW_COST), 'Proof-of-work challenge cost (largest counter; about 1 s on a mid-range phone, docs/security.md)'],
  ['UNDERSIGNED_HOLD_LIMITS', 'address=8,prefix=30,domain=50,burst=300', 'Signings a letter takes an hour per address, /24 or /64 prefix, email domain (and a minute in all) before more are held for a check'],
  ['UNDERSIGNED_DATABASE_URL', '(unset: SQLite)', 'postgres://… selects PostgreSQL'],
  ['UNDERSIGNED_PG_NAMED_STATEMENTS', 'on', 'PostgreSQL: prepare hot statements once per connection; `off` behind PgBouncer in transaction mode'],
  ['UNDERSIGNED_REDIS_URL', '(unset)', 'redis://… shares rate limits between processes'],
  ['UNDERSIGNED_TRUST_PROXY', 'off', 'Proxies whose X-Forwarded-For is believed: hops (1) or CIDRs (docs/security.md)'],
  ['UNDERSIGNED_DEV', 'true without SMTP', 'Development pages such as /dev/outbox (loopback clients only; never with SMTP)'],
  ['UNDERSIGNED_COOKIE_SECRET', '(generated in the data dir)', 'Secret for signed cookies'],
  ['UNDERSIGNED_PROCESSES', '1', 'Server processes on this machine, or `auto` (one per core) (`serve --processes N`)'],
  ['UNDERSIGNED_ORGANISERS', 'open without SMTP, else admins only', 'Who may create letters: `open`, `approval` (an admin approves each), or emails and @domains'],
  ['UNDERSIGNED_LOG_LEVEL', 'info', 'Server log level'],
  ['UNDERSIGNED_CHROMIUM', '/usr/bin/chromium', 'Browser that draws letter PDFs and share cards'],
  ['UNDERSIGNED_CONTACT', '(unset)', 'The operator\'s contact for data requests (an email or URL), named on the privacy page'],
  ['UNDERSIGNED_LANG_FALLBACK', '(unset: English)', 'Interface for letter languages without a catalogue: `ckb:fa,en ps:fa` (language:fallbacks, then English)'],
  ['UNDERSIGNED_LOG_KEY', '(generated: DATA_DIR/log-key)', 'Transparency log signer key (PRIVATE+KEY+origin+id+key)'],
  ['UNDERSIGNED_LOG_ORIGIN', 'HOST/PATH/log of the base URL', 'Transparency log origin (the checkpoint\'s first line)'],
];

/**
 * The data directory made if missing, and writable when a server will write there (the SQLite database, the
 * generated keys, the dev outbox); otherwise a ConfigError that names the path and the fix, not SQLite's "unable to
 * open database file".
 */
export function prepareDataDir(config: Pick<Config, 'dataDir' | 'databaseUrl'>, writing: boolean): void {
  const fix = 'give the user running undersigned write access to it, or choose another directory with UNDERSIGNED_DATA_DIR or --data-dir';
  try {
    mkdirSync(config.dataDir, { recursive: true });
  } catch (e) {
    throw new ConfigError(`cannot create the data directory ${config.dataDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ${fix}`);
  }
  if (!writing) return;
  const paths = [config.dataDir, ...(config.databaseUrl ? [] : ['undersigned.db', 'undersigned.db-wal', 'undersigned.db-shm'].map((f) => join(config.dataDir, f)))];
  for (const path of paths) {
    if (!existsSync(path)) continue;
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      throw new ConfigError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? 'not writable'}): ${fix}`);
    }
  }
}

/** An error opening the SQLite file, as a ConfigError naming the file and the fix (others are passed on). */
export function dataFileError(e: unknown, path: string): unknown {
  const code = (e as { code?: string }).code ?? '';
  if (!/^SQLITE_(CANTOPEN|READONLY|PERM|IOERR|FULL|NOTADB|CORRUPT)|^E(ACCES|PERM|ROFS|NOSPC|NOTDIR)$/.test(code)) return e;
  const why = /NOSPC|FULL/.test(code) ? 'the disk is full: free space on it' : /NOTADB|CORRUPT/.test(code) ? 'it is not an Undersigned database: point UNDERSIGNED_DATA_DIR at the right directory' : 'give the user running undersigned write access to it and its directory, or choose another directory with UNDERSIGNED_DATA_DIR or --data-dir';
  return new ConfigError(`cannot open the database ${path} (${code}: ${(e as Error).message}): ${why}`);
}
