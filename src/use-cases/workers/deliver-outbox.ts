/**
 * The outbox worker: claims due jobs, sends them, and on failure tries again later with exponential backoff,
 * so that nothing is lost while the SMTP server is down. Several workers (processes) may run: a claim leases
 * a job so that only one sends it.
 */
import type { MailMessage, OutboxJob, OutboxMail, TemplatedMail } from '../../core/model.ts';
import { MailRejected, type Mailer, type MailTemplates } from '../../core/ports.ts';
import { iso, type Deps } from '../deps.ts';
import { resumeFanouts } from '../steps/updates.ts';

export const LEASE_MS = 60_000;
export const MAX_BACKOFF_MS = 3600_000;
/** How often the worker looks for an update's fan-out left undone by a crash (steps/updates.ts resumeFanouts). */
export const FANOUT_CHECK_MS = 30_000;

export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempts - 1));
}

const isTemplated = (m: OutboxMail): m is TemplatedMail => 'params' in m && m.text === undefined;

/** The mail of an outbox job: as queued, or rendered now from what it says (sign.ts's confirmation mails). */
export function renderMail(templates: MailTemplates, m: OutboxMail): MailMessage {
  if (!isTemplated(m)) return m;
  // A row written by a newer version that this one cannot render: it fails (and is retried later), never going out wrong.
  const template: string = m.template;
  if (template !== 'confirm') throw new Error(`Unknown mail template ${template}`);
  return { ...templates.confirmSignature({ lang: m.lang, ...m.params }), to: m.to };
}

type Outcome = { sent: number; failed: number; rejected: number; lastError?: string };

/** Sends one claimed job and records its outcome: done (or no longer wanted), refused for good, or due again after a backoff. */
async function deliverJob(deps: Deps, mailer: Mailer, job: OutboxJob): Promise<'sent' | 'skipped' | 'rejected' | { failed: string }> {
  try {
    if (!(await updateStillWanted(deps, job))) {
      await deps.store.outbox.complete(job.id, iso(deps.clock.now()));
      return 'skipped';
    }
    await mailer.send(renderMail(deps.templates, job.payload));
    await deps.store.outbox.complete(job.id, iso(deps.clock.now()));
    // A letter's delivery to its addressee (use-cases/deliver-letter.ts) takes the mail's outcome.
    if (job.payload.template === 'delivery') await deps.store.deliveries.settle(job.id, 'sent', iso(deps.clock.now()));
    return 'sent';
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof MailRejected) {
      await deps.store.outbox.fail(job.id, iso(deps.clock.now()), msg);
      if (job.payload.template === 'delivery') await deps.store.deliveries.settle(job.id, 'failed', iso(deps.clock.now()), msg);
      return 'rejected';
    }
    await deps.store.outbox.retryLater(job.id, iso(new Date(deps.clock.now().getTime() + backoffMs(job.attempts))), msg);
    return { failed: msg };
  }
}

function tally(r: Outcome, o: Awaited<ReturnType<typeof deliverJob>>): void {
  if (o === 'sent') r.sent++;
  else if (o === 'rejected') r.rejected++;
  else if (o !== 'skipped') {
    r.failed++;
    r.lastError = o.failed;
  }
}

/** Claims up to `limit` due jobs under a lease and sends them all at once; resolves when every one has an outcome. */
async function claimAndSend(deps: Deps, mailer: Mailer, limit: number): Promise<Outcome> {
  const now = deps.clock.now();
  const jobs = await deps.store.outbox.claim(iso(now), iso(new Date(now.getTime() + LEASE_MS)), limit);
  const r: Outcome = { sent: 0, failed: 0, rejected: 0 };
  await Promise.all(
    jobs.map(async (job) => {
      tally(r, await deliverJob(deps, mailer, job));
    }),
  );
  return r;
}

/**
 * An update to a signer (steps/updates.ts: job id `update:<update>:<signature>`) goes out only if the signer still
 * wants it when it is sent: one who unsubscribed, withdrew, was removed or erased after it was queued gets nothing.
 */
async function updateStillWanted(deps: Deps, job: { id: string; payload: OutboxMail }): Promise<boolean> {
  if (job.payload.template !== 'update') return true;
  const sigId = job.id.split(':')[2];
  const sig = sigId ? await deps.store.signatures.byId(sigId) : undefined;
  return !!sig && sig.status === 'confirmed' && sig.consentUpdates && sig.email !== '';
}

/**
 * Sends what is due now; returns how many were sent, how many failed for now (tried again later) and how many were
 * refused for good (MailRejected: never tried again, the address recorded as undeliverable).
 */
export async function deliverDue(deps: Deps, mailer: Mailer, batch = 20): Promise<Outcome> {
  return claimAndSend(deps, mailer, batch);
}

/** The mail server went away (every try of a round failed, none went out) or came back: said once per outage. */
export type MailOutage = { state: 'down'; error: string } | { state: 'up' };

/**
 * Runs the worker until stopped. `poke()` wakes it at once (after a signature, so mail goes out quickly).
 *
 * Pipelined: at most `mailer.batch` mails are in flight (the mailer's connections, each a few mails deep, all well
 * within the lease), and the next claim is made as soon as half of them have an outcome, so the connections do not
 * sit idle while the last mails of a claim finish and the next claim commits. Each claim is a round: a mail server
 * outage is said once, when every try of a round failed and none went out, and its end when a mail goes out again.
 *
 * It also finishes the fan-outs of updates that a crash left undone (on start, then every FANOUT_CHECK_MS), beside
 * the rounds: their mails are claimed by the rounds as the batches commit.
 */
export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private claiming = false;
  private again = false;
  private inFlight = 0;
  private readonly rounds = new Set<Promise<void>>();
  private mailDown = false;
  private lastFanoutCheck = -Infinity;
  private resuming: Promise<void> | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly mailer: Mailer,
    private readonly intervalMs = 1000,
    private readonly onError: (e: unknown) => void = () => {},
    private readonly onOutage: (o: MailOutage) => void = () => {},
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  poke(): void {
    if (this.stopped) return;
    if (this.claiming || this.inFlight > 0) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), ms);
    this.timer.unref?.();
  }

  private get batch(): number {
    return Math.max(1, this.mailer.batch);
  }

  /** Starts a round when there is room for one: nothing claiming, and at most half of the batch in flight. */
  private pump(): void {
    if (this.stopped || this.claiming || this.inFlight > Math.floor(this.batch / 2)) return;
    if (this.timer) clearTimeout(this.timer);
    this.claiming = true;
    this.again = false;
    const round = this.round().finally(() => this.rounds.delete(round));
    this.rounds.add(round);
  }

  /** Resumes undone fan-outs now and then, one look at a time, without holding up the round. */
  private resumeFanouts(now: number): void {
    if (this.resuming || now - this.lastFanoutCheck < FANOUT_CHECK_MS) return;
    this.lastFanoutCheck = now;
    this.resuming = resumeFanouts(this.deps, { stopped: () => this.stopped })
      .then(() => {}, (e: unknown) => this.onError(e))
      .finally(() => {
        this.resuming = undefined;
      });
  }

  private async round(): Promise<void> {
    const now = this.deps.clock.now();
    this.resumeFanouts(now.getTime());
    let jobs: OutboxJob[];
    try {
      jobs = await this.deps.store.outbox.claim(iso(now), iso(new Date(now.getTime() + LEASE_MS)), this.batch - this.inFlight);
    } catch (e) {
      this.claiming = false;
      this.onError(e);
      if (!this.stopped && this.inFlight === 0) this.schedule(this.intervalMs);
      return;
    }
    this.claiming = false;
    if (jobs.length === 0) {
      // Nothing due: wait for a poke or the interval (mails still in flight call pump() as they settle).
      if (!this.stopped && this.inFlight === 0) this.schedule(this.again ? 0 : this.intervalMs);
      return;
    }
    this.inFlight += jobs.length;
    const r: Outcome = { sent: 0, failed: 0, rejected: 0 };
    await Promise.all(
      jobs.map(async (job) => {
        const o = await deliverJob(this.deps, this.mailer, job).catch((e: unknown) => {
          this.onError(e);
          return { failed: e instanceof Error ? e.message : String(e) };
        });
        tally(r, o);
        this.inFlight--;
        // Half the batch free: claim the next round while the rest of this one is still out.
        this.pump();
      }),
    );
    this.report(r);
  }

  private report(r: Outcome): void {
    if (r.failed > 0 && r.sent === 0 && !this.mailDown) {
      this.mailDown = true;
      this.onOutage({ state: 'down', error: r.lastError ?? 'unknown error' });
    } else if (r.sent > 0 && this.mailDown) {
      this.mailDown = false;
      this.onOutage({ state: 'up' });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.rounds.size > 0) await Promise.all([...this.rounds]);
    await this.resuming;
  }
}
