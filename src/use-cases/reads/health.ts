/**
 * The instance's health as a load balancer or an operator reads it (GET /health), and the outbox backlog that the
 * signing answer consults: the store is asked at most once a second, whatever the traffic.
 */
import type { Deps } from '../deps.ts';
import { iso } from '../deps.ts';

export interface Health {
  /** `ok`; `backlogged` while more mails wait than the limit (still serving); `unavailable` without the database. */
  status: 'ok' | 'backlogged' | 'unavailable';
  database: 'ok' | 'unavailable';
  outbox?: { waiting: number; retrying: number; undeliverable: number; oldestWaitingSeconds: number; limit: number };
  /** Entries queued for the transparency log and not yet given an index, and how long the oldest has waited. */
  log?: { queued: number; oldestQueuedSeconds: number };
  checkedAt: string;
}

const secondsSince = (now: Date, at: string | number | undefined): number =>
  at === undefined ? 0 : Math.max(0, Math.round((now.getTime() - (typeof at === 'number' ? at * 1000 : Date.parse(at))) / 1000));

export class HealthReads {
  private last: Health | undefined;
  private lastAt = 0;
  private inFlight: Promise<Health> | undefined;

  constructor(private readonly deps: Deps, private readonly backlogLimit: number, private readonly ttlMs = 1000) {}

  /** The health now, at most `ttlMs` old. */
  async health(): Promise<Health> {
    if (this.last && Date.now() - this.lastAt < this.ttlMs) return this.last;
    return this.refresh();
  }

  /**
   * Whether a new signer should be told their mail may take a few minutes: from the last reading (refreshed in the
   * background when older than `ttlMs`), so the signing path never waits for it.
   */
  mailDelayed(): boolean {
    if (!this.last || Date.now() - this.lastAt >= this.ttlMs) void this.refresh().catch(() => {});
    return this.last?.status === 'backlogged';
  }

  private refresh(): Promise<Health> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async read(): Promise<Health> {
    const now = this.deps.clock.now();
    let h: Health;
    try {
      const [outbox, queued, oldest] = await Promise.all([
        this.deps.store.outbox.stats(iso(now)),
        this.deps.store.log.pendingCount(),
        this.deps.store.log.pending(1),
      ]);
      h = {
        status: outbox.waiting > this.backlogLimit ? 'backlogged' : 'ok',
        database: 'ok',
        outbox: {
          waiting: outbox.waiting,
          retrying: outbox.retrying,
          undeliverable: outbox.undeliverable,
          oldestWaitingSeconds: secondsSince(now, outbox.oldestWaitingSince),
          limit: this.backlogLimit,
        },
        log: { queued, oldestQueuedSeconds: secondsSince(now, oldest[0]?.time) },
        checkedAt: iso(now),
      };
    } catch {
      h = { status: 'unavailable', database: 'unavailable', checkedAt: iso(now) };
    }
    this.last = h;
    this.lastAt = Date.now();
    return h;
  }
}
