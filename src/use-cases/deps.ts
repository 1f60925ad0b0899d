/** What every use-case receives: ports only, built by main.ts. */
import type { Clock, MailTemplates, Secrets, Store } from '../core/ports.ts';
import type { LogPort } from '../core/log-ports.ts';

export interface Deps {
  store: Store;
  clock: Clock;
  secrets: Secrets;
  templates: MailTemplates;
  /** Absolute base of every link we mail (no trailing slash). */
  baseUrl: string;
  /** The transparency log's crypto and openings (main.ts always sets it; tests of other concerns may leave it out). */
  log?: LogPort | undefined;
}

export const iso = (d: Date) => d.toISOString();
