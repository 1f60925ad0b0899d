/**
 * What the two shared rate-limit stores that count remotely have in common (PostgreSQL: backend.ts, the
 * cluster's primary: ipc.ts): the hits of one event-loop turn are sent together, one batch per window
 * length, each key once with its number of hits; and each request then gets the count it would have got alone, in
 * arrival order.
 */
export type RateLimitCb = (err: Error | null, res?: { current: number; ttl: number }) => void;

/** A request's hit: `n` is 1 for a counted request, 0 for a read of the counter. */
export interface QueuedHit {
  key: string;
  n: number;
  cb: RateLimitCb;
}

/** Collects the hits of one event-loop turn and hands over each window length's hits with their sum per key. */
export class TurnBatches {
  private queue = new Map<number, QueuedHit[]>();
  private scheduled = false;

  constructor(private readonly send: (windowMs: number, hits: QueuedHit[], perKey: Map<string, number>) => void) {}

  add(windowMs: number, hit: QueuedHit): void {
    let q = this.queue.get(windowMs);
    if (!q) this.queue.set(windowMs, (q = []));
    q.push(hit);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const groups = this.queue;
    this.queue = new Map();
    for (const [windowMs, hits] of groups) this.send(windowMs, hits, sumPerKey(hits));
  }
}

/** Each key's number of hits in a batch, in the order keys first appear. */
export function sumPerKey(hits: QueuedHit[]): Map<string, number> {
  const per = new Map<string, number>();
  for (const h of hits) per.set(h.key, (per.get(h.key) ?? 0) + h.n);
  return per;
}

/**
 * Answers a batch: `after(key)` is the key's count after the whole batch (undefined when it did not come back, then
 * `missing(hit)` decides). The i-th hit of a key is that count minus the key's hits that came after it.
 */
export function answerInOrder(
  hits: QueuedHit[],
  perKey: Map<string, number>,
  after: (key: string) => { current: number; ttl: number } | undefined,
  missing: (hit: QueuedHit) => void,
): void {
  const seen = new Map<string, number>();
  for (const h of hits) {
    const c = after(h.key);
    if (!c) {
      missing(h);
      continue;
    }
    const i = (seen.get(h.key) ?? 0) + h.n;
    seen.set(h.key, i);
    h.cb(null, { current: c.current - perKey.get(h.key)! + i, ttl: c.ttl });
  }
}
