/**
 * The shape every CLI command has. Commands are adapters: they parse flags, call use-cases or pure core
 * functions, and print. `main.ts` is the only place that builds the application they need, reached through
 * `ctx.app()` (src/cli.ts loads the root lazily) so that commands that need no storage (names pair,
 * import --dry-run) never open a database.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { MailMessage } from '../../core/model.ts';
import type { Services } from '../../use-cases/services.ts';
import type { ClusterPrimary } from '../cluster/primary.ts';

/** A mail the dev outbox captured, as `mail outbox` prints it. */
export type CapturedMail = MailMessage & { capturedAt: string };

/** What commands get of the composed application (main.ts builds it). */
export interface CliApp {
  config: Config;
  services: Services;
  /** Sends the mail that is due now; how many were sent. */
  deliverMail(): Promise<number>;
  /** The newest captured mails, when mail is captured rather than sent. */
  devOutbox: ((limit: number) => CapturedMail[]) | undefined;
  /** Waits until every queued log entry has its index and a checkpoint covers it. */
  drainLog(): Promise<void>;
  /** The HTTP app, built once (never listening: `serve` listens). */
  http(): Promise<FastifyInstance>;
  close(): Promise<void>;
}

export interface AppOptions {
  /** Overrides UNDERSIGNED_PORT (serve --port). */
  port?: number | undefined;
  /** Run the outbox worker in this process (the server does). */
  worker?: boolean;
  /** Overrides UNDERSIGNED_PROCESSES (serve --processes). */
  processes?: string | undefined;
}

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** true when stderr is a terminal: progress bars are drawn only then. */
  isTTY: boolean;
}

export interface CliContext {
  io: CliIO;
  /** Builds (once) the composed application for the configured data directory or database. */
  app(opts?: AppOptions): Promise<CliApp>;
  /** The settings alone (nothing opened); throws ConfigError on a bad value. (The CLI gives it; tests may not.) */
  config?(opts?: AppOptions): Config;
  /** Prepares the storage once and returns what the primary of `serve --processes N` keeps (main.ts). */
  clusterPrimary?(config: Config): Promise<ClusterPrimary>;
  /** Working directory used to resolve relative paths given on the command line. */
  cwd: string;
}

export interface Command {
  /** Words that select the command, e.g. ['names', 'pair'] or ['import']. */
  path: string[];
  summary: string;
  /** Full help text printed by `--help`. */
  help: string;
  /** Returns the process exit code. Throwing a CliError prints its message and exits with its code. */
  run(args: string[], ctx: CliContext): Promise<number>;
}

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}
