/**
 * The composition root: the only place that chooses and builds adapters. Everything else receives ports.
 * Defaults: SQLite in the data directory, mail captured in the dev outbox.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Mailer, Store } from './core/ports.ts';
import type { Deps } from './use-cases/deps.ts';
import { openSqliteStore } from './adapters/storage/sqlite/index.ts';
import { SmtpMailer } from './adapters/mail/smtp.ts';
import { DevOutboxMailer } from './adapters/mail/dev-outbox.ts';
import { mailTemplates } from './adapters/mail/templates.ts';
import { nodeSecrets } from './adapters/node-secrets.ts';
import { OutboxWorker } from './use-cases/deliver-outbox.ts';
import { PublicReads } from './use-cases/public-letter.ts';
import { buildHttp } from './adapters/http/app.ts';

export interface App {
  config: Config;
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
}

async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl) {
    const { openPostgresStore } = await import('./adapters/storage/postgres/index.ts');
    return openPostgresStore(config.databaseUrl);
  }
  return openSqliteStore(join(config.dataDir, 'undersigned.db'));
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
  /** Start the outbox worker (the server does; one-shot CLI commands do not). */
  worker?: boolean;
}

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<App> {
  mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore(config);
  const devOutboxDir = config.smtpUrl ? undefined : join(config.dataDir, 'outbox');
  const mailer = opts.mailer ?? (config.smtpUrl ? new SmtpMailer(config.smtpUrl, config.mailFrom) : new DevOutboxMailer(devOutboxDir!));
  const deps: Deps = { store, clock: opts.clock ?? { now: () => new Date() }, secrets: nodeSecrets, templates: mailTemplates, baseUrl: config.baseUrl };
  let httpApp: FastifyInstance | undefined;
  const worker = new OutboxWorker(deps, mailer, 1000, (e) => httpApp?.log.error({ err: e }, 'outbox worker failed'));
  const reads = new PublicReads(deps);
  const secret = cookieSecret(config);
  const app: App = {
    config,
    deps,
    store,
    mailer,
    worker,
    reads,
    devOutboxDir,
    cookieSecret: secret,
    async http() {
      httpApp ??= await buildHttp(app);
      return httpApp;
    },
    async close() {
      await worker.stop();
      if (httpApp) await httpApp.close();
      await mailer.close();
      await store.close();
    },
  };
  if (opts.worker) worker.start();
  return app;
}
