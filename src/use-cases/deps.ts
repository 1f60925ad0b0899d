/** What every use-case receives: ports only, built by main.ts. */
import type { Clock, MailTemplates, Secrets, Store } from '../core/ports.ts';

export interface Deps {
  store: Store;
  clock: Clock;
  secrets: Secrets;
  templates: MailTemplates;
  /** Absolute base of every link we mail (no trailing slash). */
  baseUrl: string;
}

export const iso = (d: Date) => d.toISOString();
