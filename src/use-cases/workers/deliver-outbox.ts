/**
 * The outbox worker: claims due jobs, sends them, and on failure tries again later with exponential backoff,
 * so that nothing is lost while the SMTP server is down. Several workers (processes) may run: a claim leases
 * a job so that only one sends it.
 */
import type { MailMessage, OutboxMail, TemplatedMail } from '../../core/model.ts';
import { MailRejected, type Mailer, type MailTemplates } from '../../core/ports.ts';
import { iso, type Deps } from '../deps.ts';

export const LEASE_MS = 60_000;
export const MAX_BACKOFF_MS = 3600_000;

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
export async function deliverDue(deps: Deps, mailer: Mailer, batch = 20): Promise<{ sent: number; failed: number; rejected: number; lastError?: string }> {
  const now = deps.clock.now();
  const jobs = await deps.store.outbox.claim(iso(now), iso(new Date(now.getTime() + LEASE_MS)), batch);
  let sent = 0;
  let failed = 0;
  let rejected = 0;
  let lastError: string | undefined;
  await Promise.all(
    jobs.map(async (job) => {
      try {
        if (!(await updateStillWanted(deps, job))) {
          await deps.store.outbox.complete(job.id, iso(deps.clock.now()));
          return;
        }
        await mailer.send(renderMail(deps.templates, job.payload));
        await deps.store.outbox.complete(job.id, iso(deps.clock.now()));
        // A letter's delivery to its addressee (use-cases/deliver-letter.ts) takes the mail's outcome.
        if (job.payload.template === 'delivery') await deps.store.deliveries.settle(job.id, 'sent', iso(deps.clock.now()));
        sent++;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (e instanceof MailRejected) {
          rejected++;
          await deps.store.outbox.fail(job.id, iso(deps.clock.now()), msg);
          if (job.payload.template === 'delivery') await deps.store.deliveries.settle(job.id, 'failed', iso(deps.clock.now()), msg);
          return;
        }
        failed++;
        lastError = msg;
        await deps.store.outbox.retryLater(job.id, iso(new Date(deps.clock.now().getTime() + backoffMs(job.attempts))), msg);
      }
    }),
  );
  return { sent, failed, rejected, ...(lastError !== undefined ? { lastError } : {}) };
}

/** The mail server went away (every try of a round failed, none went out) or came back: said once per outage. */
export type MailOutage = { state: 'down'; error: string } | { state: 'up' };

/** Runs the worker until stopped. `poke()` wakes it at once (after a signature, so mail goes out quickly). */
export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private again = false;
  private mailDown = false;

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
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    let sentAny = false;
    try {
      // As many a claim as the mailer sends well within the lease: under a signing surge each claim and each batch
      // of completions is a commit of its own, so fast mailers take large batches.
      const r = await deliverDue(this.deps, this.mailer, this.mailer.batch);
      sentAny = r.sent + r.failed + r.rejected > 0;
      if (r.failed > 0 && r.sent === 0 && !this.mailDown) {
        this.mailDown = true;
        this.onOutage({ state: 'down', error: r.lastError ?? 'unknown error' });
      } else if (r.sent > 0 && this.mailDown) {
        this.mailDown = false;
        this.onOutage({ state: 'up' });
      }
    } catch (e) {
      this.onError(e);
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    const more = this.again || sentAny;
    this.again = false;
    this.schedule(more ? 0 : this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }
}
