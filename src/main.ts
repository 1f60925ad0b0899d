/**
 * The composition root: the only place that chooses and builds adapters. Everything else receives ports, and the
 * driving adapters (HTTP, the CLI) receive Services (use-cases/services.ts). Defaults: SQLite in the data
 * directory, mail captured in the dev outbox, rate limits counted in this process.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { LetterPdfs, Mailer, Signals, Store } from './core/ports.ts';
import type { Deps } from './use-cases/deps.ts';
import type { Services } from './use-cases/services.ts';
import { HealthReads } from './use-cases/reads/health.ts';
import { openSqliteStore } from './adapters/storage/sqlite/index.ts';
import { SmtpMailer } from './adapters/mail/smtp.ts';
import { DevOutboxMailer, readDevOutbox } from './adapters/mail/dev-outbox.ts';
import { mailTemplates } from './adapters/mail/templates.ts';
import { setLanguageFallbacks } from './adapters/i18n/index.ts';
import { nodeSecrets } from './adapters/node-secrets.ts';
import { deliverDue, OutboxWorker } from './use-cases/workers/deliver-outbox.ts';
import { PublicReads } from './use-cases/reads/public-reads.ts';
import { buildHttp } from './adapters/http/app.ts';
import { ConfigError, dataFileError, prepareDataDir } from './config.ts';
import { nodeLogCrypto } from './adapters/crypto/node-crypto.ts';
import { generateKeyPair, parseSignerKey, type NoteSigner } from './core/log/index.ts';
import { Sequencer } from './use-cases/workers/sequence-log.ts';
import { eraseExpired } from './use-cases/erase.ts';
import { rekeyNames } from './use-cases/workers/rekey-names.ts';
import { scoreUnscored } from './use-cases/steps/flag-duplicates.ts';
import { checkCollation, useTransliterator } from './core/names/index.ts';
import { anyAsciiTransliterator } from './adapters/translit/any-ascii.ts';
import { RateLimitCounters } from './adapters/http/rate-limit/ipc.ts';
import { rateLimitBackend } from './adapters/http/rate-limit/backend.ts';
import { isUndersignedWorker, shareWriteLock } from './adapters/cluster/worker.ts';
import type { ClusterPrimary } from './adapters/cluster/primary.ts';
import type { CliApp } from './adapters/cli/types.ts';
import { ChromiumRenderer } from './adapters/pdf/chromium.ts';
import { assetFile } from './adapters/http/asset-files.ts';
import { LetterDocuments } from './adapters/http/letter-documents.ts';

/** The composed application: what main.ts and the tests hold; adapters see only `services` (and the CLI, CliApp). */
export interface App extends CliApp {
  config: Config;
  services: Services;
  deps: Deps;
  store: Store;
  mailer: Mailer;
  worker: OutboxWorker;
  reads: PublicReads;
  /** Where the dev outbox writes, when mail is captured. */
  devOutboxDir: string | undefined;
  cookieSecret: string;
  http(): Promise<FastifyInstance>;
  close(): Promise<void>;
  /** The transparency log: its origin, verifier key (served at /log/key) and signer. */
  log: { origin: string; vkey: string; signer: NoteSigner & { vkey: string } };
  sequencer: Sequencer;
}

/** The log's origin: UNDERSIGNED_LOG_ORIGIN, or the base URL's host and path followed by /log (c2sp tlog-tiles). */
export function logOrigin(config: Config): string {
  if (config.logOrigin) return config.logOrigin;
  const u = new URL(config.baseUrl);
  return `${u.host}${u.pathname.replace(/\/+$/, '')}/log`;
}

/**
 * The log's Ed25519 signer key: UNDERSIGNED_LOG_KEY (a `PRIVATE+KEY+…` line), or DATA_DIR/log-key, made on first
 * start. Its name must be the origin: a key named for another origin would sign checkpoints no verifier accepts.
 */
function logIdentity(config: Config): { signer: NoteSigner & { vkey: string }; origin: string } {
  const origin = logOrigin(config);
  let skey = config.logKey;
  if (!skey) {
    mkdirSync(config.dataDir, { recursive: true });
    const file = join(config.dataDir, 'log-key');
    // Several processes may start at once on one data directory: one creates the key ('wx' fails for the others),
    // and a reader that finds the file still empty waits for its content.
    if (!existsSync(file)) {
      try {
        writeFileSync(file, generateKeyPair(nodeLogCrypto, origin, randomBytes(32)).skey + '\n', { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    for (let i = 0; i < 50 && !(skey = readFileSync(file, 'utf8').trim()); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  let signer: NoteSigner & { vkey: string };
  try {
    signer = parseSignerKey(nodeLogCrypto, skey ?? '');
  } catch (e) {
    throw new ConfigError(`UNDERSIGNED_LOG_KEY (or ${join(config.dataDir, 'log-key')}) is not a valid signer key: ${(e as Error).message}`);
  }
  if (signer.name !== origin) {
    // A development instance started on another port keeps the origin its log was made with; an origin that was
    // set explicitly and differs is refused, since checkpoints under another name would fork the log for verifiers.
    if (!config.logOrigin && !config.baseUrlExplicit) return { signer, origin: signer.name };
    throw new ConfigError(`the log key is for "${signer.name}" but the log origin is "${origin}" (from UNDERSIGNED_BASE_URL or UNDERSIGNED_LOG_ORIGIN); a log's origin never changes`);
  }
  return { signer, origin };
}

async function openStore(config: Config, serving: boolean): Promise<Store> {
  if (config.databaseUrl) {
    const { openPostgresStore } = await import('./adapters/storage/postgres/index.ts');
    return openPostgresStore(config.databaseUrl, { namedStatements: config.pgNamedStatements });
  }
  // A server checkpoints SQLite's WAL from a background thread; one-shot commands do not start one. The workers of
  // `serve --processes N` write the file together (the group commit then gathers outside the write lock).
  const ourWorker = isUndersignedWorker();
  const file = join(config.dataDir, 'undersigned.db');
  const store = await openSqliteStore(file, { backgroundCheckpoints: serving, sharedWriters: ourWorker }).catch((e: unknown) => {
    throw dataFileError(e, file);
  });
  // The workers tell each other, through the primary, when one waits for the write lock and when one let go of it.
  if (ourWorker && serving) {
    const stop = shareWriteLock(store.group);
    store.onClose(async () => stop());
  }
  return store;
}

/** Reads the cookie secret from the data directory, making one on first start. */
function cookieSecret(config: Config): string {
  if (config.cookieSecret) return config.cookieSecret;
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'cookie-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}

export interface BuildOptions {
  /** Replace the clock (tests use a fixed one). */
  clock?: Deps['clock'];
  /** Replace the mailer (tests). */
  mailer?: Mailer;
  /** Start the outbox worker and the log sequencer (the server does; one-shot CLI commands do not). */
  worker?: boolean;
  /** Test hook passed to the sequencer (runs between writing tiles and the checkpoint). */
  afterTiles?: () => Promise<void> | void;
}

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<App> {
  // Before anything else: a Node.js without full ICU sorts Persian in root order and would publish wrong lists.
  const collation = checkCollation();
  if (!collation.ok) throw new ConfigError(collation.message);
  // names in other scripts (Cyrillic, Greek, Hebrew, Han, Kana) are matched through their Latin transliteration
  useTransliterator(anyAsciiTransliterator);
  prepareDataDir(config, Boolean(opts.worker));
  setLanguageFallbacks(config.langFallback);
  const store = await openStore(config, Boolean(opts.worker));
  const devOutboxDir = config.smtpUrl ? undefined : join(config.dataDir, 'outbox');
  const mailer = opts.mailer ?? (config.smtpUrl ? new SmtpMailer(config.smtpUrl, config.mailFrom, { pool: config.smtpPool, dkim: config.dkim }) : new DevOutboxMailer(devOutboxDir!));
  const { signer, origin } = logIdentity(config);
  const state = await store.log.state();
  if (state && state.vkey !== signer.vkey) {
    await store.close();
    throw new ConfigError(`the log in this database is signed by ${state.vkey}, not by this process's key ${signer.vkey}: give every process the log's key (UNDERSIGNED_LOG_KEY)`);
  }
  let httpApp: FastifyInstance | undefined;
  const deps: Deps = {
    store,
    clock: opts.clock ?? { now: () => new Date() },
    secrets: nodeSecrets,
    templates: mailTemplates,
    baseUrl: config.baseUrl,
    log: { crypto: nodeLogCrypto, opening: () => new Uint8Array(randomBytes(32)) },
    // The effects of a commit in this process; other processes see the change through the caches' short lives.
    signals: { mailQueued: () => worker.poke(), logQueued: () => sequencer.poke(), letterChanged: (id) => reads.invalidate(id) } satisfies Signals,
    organiserPolicy: config.organisers,
  };
  const sequencer = new Sequencer(store, deps.clock, { crypto: nodeLogCrypto, signer, origin, afterTiles: opts.afterTiles }, (e) => httpApp ? httpApp.log.error({ err: e }, 'log sequencer failed') : console.error(`undersigned: log sequencer: ${e.message}`));
  const worker = new OutboxWorker(deps, mailer, 1000, (e) => httpApp?.log.error({ err: e }, 'outbox worker failed'), (o) => {
    // Once per outage of the mail server, not once per mail tried.
    const line = o.state === 'down' ? `mail cannot be sent (${o.error}); mails wait in the outbox and are tried again with backoff` : 'mail is going out again';
    if (httpApp) (o.state === 'down' ? httpApp.log.error(line) : httpApp.log.warn(line));
    else console.error(`undersigned: ${line}`);
  });
  const reads = new PublicReads(deps);
  const secret = cookieSecret(config);
  // PDFs and share cards: Debian chromium, started on the first document and kept.
  const renderer = new ChromiumRenderer({ executablePath: config.chromiumPath, resource: assetFile });
  const services: Services = { deps, reads, health: new HealthReads(deps, config.mailBacklogLimit), log: { origin, vkey: signer.vkey }, renderer, documents: undefined as unknown as LetterPdfs };
  // Drawn from the public reads (Services), so made once those exist.
  services.documents = new LetterDocuments(services, renderer);
  const devOutbox = devOutboxDir ? (limit: number) => readDevOutbox(devOutboxDir, limit).map(({ file: _file, ...m }) => m) : undefined;
  const app: App = {
    config,
    services,
    deps,
    store,
    mailer,
    worker,
    reads,
    devOutboxDir,
    cookieSecret: secret,
    log: { origin, vkey: signer.vkey, signer },
    sequencer,
    devOutbox,
    async deliverMail() {
      let sent = 0;
      for (let n: number; (n = (await deliverDue(deps, mailer)).sent) > 0;) sent += n;
      return sent;
    },
    async drainLog() {
      await sequencer.drain();
    },
    async http() {
      // Counters shared by every server process: Redis, else PostgreSQL, else our cluster's primary, else this process.
      httpApp ??= await buildHttp(services, {
        config,
        cookieSecret: secret,
        rateLimits: await rateLimitBackend({ redisUrl: config.redisUrl, store, clusterWorker: isUndersignedWorker() && Boolean(process.send) }),
        devOutbox,
      });
      return httpApp;
    },
    async close() {
      await worker.stop();
      await sequencer.stop();
      if (sweeper) clearInterval(sweeper);
      if (scorer) clearInterval(scorer);
      if (httpApp) await httpApp.close();
      await renderer.close();
      await mailer.close();
      await store.close();
    },
  };
  // Retention: personal data past the period an organiser set is erased hourly (use-cases/erase.ts).
  let sweeper: NodeJS.Timeout | undefined;
  let scorer: NodeJS.Timeout | undefined;
  if (opts.worker) {
    worker.start();
    sequencer.start();
    sweeper = setInterval(() => void eraseExpired(deps).catch((e: Error) => httpApp?.log.error({ err: e }, 'retention erasure failed')), 3600_000);
    sweeper.unref();
    // Names: keys made by an older key function are recomputed in batches and those signatures re-checked
    // (use-cases/workers/rekey-names.ts); a no-op once every key has the current version.
    const rekey = async () => {
      for (let r = await rekeyNames(deps); r.left > 0; r = await rekeyNames(deps));
    };
    void rekey().catch((e: Error) => httpApp?.log.error({ err: e }, 'name rekeying failed'));
    // Duplicates: confirmations whose check did not run after their commit (the process stopped in between) are
    // scored at start and then every minute (use-cases/steps/flag-duplicates.ts); idempotent, a no-op when none.
    const score = async () => {
      for (let r = await scoreUnscored(deps); r.scored > 0; r = await scoreUnscored(deps));
    };
    const scoreFailed = (e: Error) => httpApp?.log.error({ err: e }, 'duplicate scoring failed');
    void score().catch(scoreFailed);
    scorer = setInterval(() => void score().catch(scoreFailed), 60_000);
    scorer.unref();
  }
  return app;
}

/**
 * Before the workers of `serve --processes N` start: the database is migrated and the files every process reads (the
 * log key, the cookie secret) are made, here, once, so that workers never race on them; the same checks as a start
 * (collation, the log's key) stop a bad start before any worker is forked. The primary then keeps the rate-limit
 * counters the workers share when neither Redis nor PostgreSQL holds them (http/rate-limit/ipc.ts).
 */
export async function prepareClusterPrimary(config: Config): Promise<ClusterPrimary> {
  const app = await buildApp(config);
  await app.close();
  const counters = new RateLimitCounters();
  return { onWorkerMessage: (m) => counters.handle(m) };
}
