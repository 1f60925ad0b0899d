/**
 * A bounded work queue: at most `concurrency` jobs run at once and at most `waiting` wait; one more is refused at
 * once (SERVER_BUSY) rather than queued without end. Threat: a crowd asking for a large letter's PDF at once.
 */
import { DomainError } from '../../core/errors.ts';

export class BoundedQueue {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly concurrency: number, private readonly waiting: number) {}

  /** Jobs running and waiting now. */
  get size(): number {
    return this.running + this.queue.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.queue.length >= this.waiting) {
        const e = new DomainError('SERVER_BUSY', 'Too many documents are being drawn right now; try again in a moment');
        // Seconds to wait (Retry-After): about one document's drawing.
        throw Object.assign(e, { retryAfter: 5 });
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await job();
    } finally {
      const next = this.queue.shift();
      // The slot passes to the next job as it is; with no one waiting it is freed.
      if (next) next();
      else this.running--;
    }
  }
}
