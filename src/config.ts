/**
 * Settings: environment variables prefixed UNDERSIGNED_ (and CLI flags where natural), read once here.
 * A bad value stops the start with a message that names the variable.
 */
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';

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
  /** Signing attempts per IP per minute; undefined when rate limiting is off (benchmarks). */
  rateLimitPerMinute: number | undefined;
  /** postgres://… selects PostgreSQL; otherwise SQLite in the data directory. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  trustProxy: boolean;
  /** Development pages (the outbox viewer) are on when mail is captured rather than sent. */
  dev: boolean;
  cookieSecret: string | undefined;
  logLevel: string;
  logKey: string | undefined;
  logOrigin: string | undefined;
  /** Server processes of `serve` on this machine (node:cluster when more than 1; src/adapters/cluster/primary.ts). */
  processes: number;
  /** PostgreSQL: hot statements as named statements, prepared once per connection; off behind PgBouncer in transaction mode. */
  pgNamedStatements: boolean;
  /** Interface fallback chains for page languages without a catalogue (UNDERSIGNED_LANG_FALLBACK), e.g. ckb → fa. */
  langFallback: Record<string, string[]>;
  /** Where signers write to see, correct or erase their data (UNDERSIGNED_CONTACT), named on the privacy page. */
  contact: string | undefined;
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
    host: env.UNDERSIGNED_HOST || '0.0.0.0',
    dataDir: resolve(cwd, flags.dataDir ?? env.UNDERSIGNED_DATA_DIR ?? 'data'),
    baseUrl,
    baseUrlExplicit: Boolean(env.UNDERSIGNED_BASE_URL),
    smtpUrl,
    mailFrom: env.UNDERSIGNED_MAIL_FROM || `Undersigned <no-reply@${host}>`,
    rateLimitPerMinute,
    databaseUrl: databaseUrl?.startsWith('sqlite:') ? undefined : databaseUrl,
    redisUrl,
    trustProxy: bool(env, 'UNDERSIGNED_TRUST_PROXY', false),
    dev: bool(env, 'UNDERSIGNED_DEV', smtpUrl === undefined),
    cookieSecret: env.UNDERSIGNED_COOKIE_SECRET || undefined,
    logLevel,
    logKey: env.UNDERSIGNED_LOG_KEY || undefined,
    logOrigin: env.UNDERSIGNED_LOG_ORIGIN || undefined,
    processes: flags.processes !== undefined ? processCount(flags.processes, '--processes') : processCount(env.UNDERSIGNED_PROCESSES, 'UNDERSIGNED_PROCESSES'),
    pgNamedStatements: onOff(env, 'UNDERSIGNED_PG_NAMED_STATEMENTS', true),
    langFallback: langFallbacks(env.UNDERSIGNED_LANG_FALLBACK),
    contact: env.UNDERSIGNED_CONTACT?.trim() || undefined,
  };
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
  ['UNDERSIGNED_HOST', '0.0.0.0', 'Address to listen on'],
  ['UNDERSIGNED_DATA_DIR', './data', 'SQLite database, dev outbox, keys (`--data-dir DIR`)'],
  ['UNDERSIGNED_BASE_URL', 'http://localhost:PORT', 'Public base URL used in every link'],
  ['UNDERSIGNED_SMTP_URL', '(unset: dev outbox)', 'nodemailer SMTP URL, e.g. smtp://127.0.0.1:2525'],
  ['UNDERSIGNED_MAIL_FROM', 'Undersigned <no-reply@HOST>', 'From address of mails'],
  ['UNDERSIGNED_RATE_LIMIT', '10', 'Signing attempts per IP per minute; `off` disables (benchmarks)'],
  ['UNDERSIGNED_DATABASE_URL', '(unset: SQLite)', 'postgres://… selects PostgreSQL'],
  ['UNDERSIGNED_PG_NAMED_STATEMENTS', 'on', 'PostgreSQL: prepare hot statements once per connection; `off` behind PgBouncer in transaction mode'],
  ['UNDERSIGNED_REDIS_URL', '(unset)', 'redis://… shares rate limits between processes'],
  ['UNDERSIGNED_TRUST_PROXY', 'false', 'Trust X-Forwarded-For (behind a reverse proxy)'],
  ['UNDERSIGNED_DEV', 'true without SMTP', 'Development pages such as /dev/outbox'],
  ['UNDERSIGNED_COOKIE_SECRET', '(generated in the data dir)', 'Secret for signed cookies'],
  ['UNDERSIGNED_PROCESSES', '1', 'Server processes on this machine, or `auto` (one per core) (`serve --processes N`)'],
  ['UNDERSIGNED_LOG_LEVEL', 'info', 'Server log level'],
  ['UNDERSIGNED_CONTACT', '(unset)', 'The operator\'s contact for data requests (an email or URL), named on the privacy page'],
  ['UNDERSIGNED_LANG_FALLBACK', '(unset: English)', 'Interface for letter languages without a catalogue: `ckb:fa,en ps:fa` (language:fallbacks, then English)'],
  ['UNDERSIGNED_LOG_KEY', '(generated: DATA_DIR/log-key)', 'Transparency log signer key (PRIVATE+KEY+origin+id+key)'],
  ['UNDERSIGNED_LOG_ORIGIN', 'HOST/PATH/log of the base URL', 'Transparency log origin (the checkpoint\'s first line)'],
];
