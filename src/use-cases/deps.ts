/** What every use-case receives: ports only, built by main.ts. */
import type { Clock, MailTemplates, Secrets, Signals, Store } from '../core/ports.ts';
import type { LogPort } from '../core/log-ports.ts';
import { DomainError } from '../core/errors.ts';
import type { OrganiserPolicy } from '../core/organisers/policy.ts';

export interface Deps {
  store: Store;
  clock: Clock;
  secrets: Secrets;
  templates: MailTemplates;
  /** Absolute base of every link we mail (no trailing slash). */
  baseUrl: string;
  /** The transparency log's crypto and openings: every change the log records queues its entry through it. */
  log: LogPort;
  /** Told after a commit what it changed (mail queued, log entries queued, a letter changed). */
  signals: Signals;
  /** Who may create letters (UNDERSIGNED_ORGANISERS); absent: anyone signed in (development, tests). */
  organiserPolicy?: OrganiserPolicy | undefined;
}

export const iso = (d: Date) => d.toISOString();

/**
 * Thrown inside a transaction when a conditional update found that a concurrent transaction changed the row since
 * it was read (PostgreSQL at READ COMMITTED; two processes on one SQLite file): the transaction rolls back with
 * everything it queued (log entry, mail, token) and `retryRaced` runs it again, which then reads the change and
 * answers as a repeat does (already confirmed, already withdrawn…).
 */
export class Raced extends Error {
  constructor() {
    super('the row changed since it was read');
  }
}

/** Runs `attempt` (one whole transaction) again while it lost a race; a row that keeps changing is SERVER_BUSY. */
export async function retryRaced<T>(attempt: () => Promise<T>, tries = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof Raced)) throw e;
      if (i >= tries) throw new DomainError('SERVER_BUSY', 'This record is changing right now; try again in a moment');
    }
  }
}
