/**
 * Rate limits shared by the server processes of one `serve --processes N` without Redis or PostgreSQL (SQLite): the
 * counters live in the cluster's primary process, and each worker asks it over the cluster's IPC channel.
 * Threat: connections are spread over the workers, so counters kept in each worker would let one address make N times
 * the allowance. The primary counts every worker's hits on one counter per key, in fixed windows (a window starts at
 * its key's first hit and lasts the route's time window), as the Redis and PostgreSQL stores do.
 *
 * A worker sends the hits of one event-loop turn together (one message per window length), and each request gets the
 * count it would have got alone, in arrival order (as RateLimitHitBatcher does on PostgreSQL). If the primary does not
 * answer within REPLY_MS the hits fail, and the limiter lets their requests through (skipOnError, like the others).
 */

/** Marks the messages of this protocol among the others on the cluster's channel. */
export const RATE_LIMIT_MESSAGE = 'undersigned:rate-limit';

export interface RateLimitRequest {
  t: typeof RATE_LIMIT_MESSAGE;
  id: number;
  windowMs: number;
  /** [key, hits]; 0 hits reads the counter without counting. */
  hits: [string, number][];
}

export interface RateLimitReply {
  t: typeof RATE_LIMIT_MESSAGE;
  id: number;
  /** [current, ttl ms] of each key of the request, in its order. */
  counts: [number, number][];
}

type Cb = (err: Error | null, res?: { current: number; ttl: number }) => void;

function isRequest(m: unknown): m is RateLimitRequest {
  const r = m as RateLimitRequest | null;
  return typeof r === 'object' && r !== null && r.t === RATE_LIMIT_MESSAGE && typeof r.id === 'number' && typeof r.windowMs === 'number' && Array.isArray(r.hits);
}

function isReply(m: unknown): m is RateLimitReply {
  const r = m as RateLimitReply | null;
  return typeof r === 'object' && r !== null && r.t === RATE_LIMIT_MESSAGE && typeof r.id === 'number' && Array.isArray(r.counts);
}

/**
 * The counters, in the primary. Memory stays bounded: windows that ended are swept out at most every SWEEP_MS, and
 * past `maxKeys` live windows (a flood from very many addresses) the oldest windows are forgotten — a forgotten
 * address starts a new window, so that limit errs towards letting requests through, never towards refusing them.
 */
export class RateLimitCounters {
  static readonly SWEEP_MS = 10_000;
  private readonly windows = new Map<string, { count: number; until: number }>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now, readonly maxKeys = 1_000_000) {}

  get size(): number {
    return this.windows.size;
  }

  /** Adds `n` hits to `key` (0: only reads) and returns its count and the time left in its window. */
  hit(key: string, n: number, windowMs: number): { current: number; ttl: number } {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || w.until <= now) {
      if (n === 0) return { current: 0, ttl: 0 };
      if (w) this.windows.delete(key); // re-inserted last: the map stays in order of window start
      w = { count: 0, until: now + windowMs };
      this.windows.set(key, w);
      if (this.windows.size > this.maxKeys) this.sweep(now, true);
    }
    w.count += n;
    return { current: w.count, ttl: w.until - now };
  }

  /** Answers a worker's message (undefined: not one of ours). */
  handle(message: unknown): RateLimitReply | undefined {
    if (!isRequest(message)) return undefined;
    const now = this.now();
    if (now - this.lastSweep >= RateLimitCounters.SWEEP_MS) this.sweep(now, false);
    const counts = message.hits.map(([key, n]): [number, number] => {
      const r = this.hit(String(key), Math.max(0, Math.floor(Number(n)) || 0), message.windowMs);
      return [r.current, r.ttl];
    });
    return { t: RATE_LIMIT_MESSAGE, id: message.id, counts };
  }

  private sweep(now: number, overflow: boolean): void {
    this.lastSweep = now;
    for (const [k, w] of this.windows) if (w.until <= now) this.windows.delete(k);
    if (overflow) {
      // Still too many live windows: forget the oldest tenth at once (not one per hit).
      let drop = this.windows.size - Math.floor(this.maxKeys * 0.9);
      for (const k of this.windows.keys()) {
        if (drop-- <= 0) break;
        this.windows.delete(k);
      }
    }
  }
}

/** What a worker needs of its channel to the primary (process.send / process.on('message') in a cluster worker). */
export interface PrimaryChannel {
  send(message: RateLimitRequest, onSent: (err: Error | null) => void): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** The channel of this cluster worker to its primary. */
export function processChannel(proc: NodeJS.Process = process): PrimaryChannel {
  return {
    send(message, onSent) {
      try {
        if (!proc.send || !proc.connected) throw new Error('no channel to the primary process');
        proc.send(message, undefined, undefined, (err) => onSent(err ?? null));
      } catch (e) {
        onSent(e as Error);
      }
    },
    onMessage(listener) {
      proc.on('message', listener);
    },
  };
}

/** The worker's side: the hits of one event-loop turn go to the primary in one message per window length. */
export class IpcRateLimitBatcher {
  static readonly REPLY_MS = 2000;
  private queue = new Map<number, { key: string; n: number; cb: Cb }[]>();
  private scheduled = false;
  private nextId = 1;
  private readonly waiting = new Map<number, { hits: { key: string; n: number; cb: Cb }[]; timer: NodeJS.Timeout }>();

  constructor(private readonly channel: PrimaryChannel = processChannel()) {
    channel.onMessage((m) => {
      if (isReply(m)) this.answer(m);
    });
  }

  hit(key: string, windowMs: number, cb: Cb): void {
    this.push(key, 1, windowMs, cb);
  }

  read(key: string, windowMs: number, cb: Cb): void {
    this.push(key, 0, windowMs, cb);
  }

  private push(key: string, n: number, windowMs: number, cb: Cb): void {
    let q = this.queue.get(windowMs);
    if (!q) this.queue.set(windowMs, (q = []));
    q.push({ key, n, cb });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const groups = this.queue;
    this.queue = new Map();
    for (const [windowMs, hits] of groups) {
      const per = new Map<string, number>();
      for (const h of hits) per.set(h.key, (per.get(h.key) ?? 0) + h.n);
      const id = this.nextId++;
      const timer = setTimeout(() => this.fail(id, new Error('the primary process did not answer the rate-limit count')), IpcRateLimitBatcher.REPLY_MS);
      // The reply carries one count per key of `per`, in its order; answer() maps them back to the hits.
      this.waiting.set(id, { hits, timer });
      this.channel.send({ t: RATE_LIMIT_MESSAGE, id, windowMs, hits: [...per] }, (err) => {
        if (err) this.fail(id, err);
      });
    }
  }

  private answer(reply: RateLimitReply): void {
    const w = this.waiting.get(reply.id);
    if (!w) return;
    this.waiting.delete(reply.id);
    clearTimeout(w.timer);
    const per = new Map<string, number>();
    for (const h of w.hits) per.set(h.key, (per.get(h.key) ?? 0) + h.n);
    const after = new Map<string, [number, number]>();
    [...per.keys()].forEach((k, i) => {
      const c = reply.counts[i];
      if (c) after.set(k, c);
    });
    // The i-th hit of a key in this batch is its count after the batch minus the hits that came after it.
    const seen = new Map<string, number>();
    for (const h of w.hits) {
      const c = after.get(h.key);
      if (!c) {
        h.cb(new Error('rate limit counter not returned'));
        continue;
      }
      const i = (seen.get(h.key) ?? 0) + h.n;
      seen.set(h.key, i);
      h.cb(null, { current: c[0] - per.get(h.key)! + i, ttl: c[1] });
    }
  }

  private fail(id: number, err: Error): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    for (const h of w.hits) h.cb(err);
  }
}

interface RouteOptions {
  routeInfo?: { method?: string; url?: string };
}

/** A store class for @fastify/rate-limit that counts in the cluster's primary process. */
export function clusterRateLimitStore(batcher: IpcRateLimitBatcher, prefix = 'rl:') {
  return class ClusterRateLimitStore {
    readonly prefix: string;
    constructor(_globalParams?: unknown, routePrefix = prefix) {
      this.prefix = routePrefix;
    }
    incr(key: string, cb: Cb, timeWindow: number): void {
      batcher.hit(this.prefix + key, timeWindow, cb);
    }
    read(key: string, cb: Cb, timeWindow = 60_000): void {
      batcher.read(this.prefix + key, timeWindow, cb);
    }
    child(routeOptions: RouteOptions) {
      return new ClusterRateLimitStore(undefined, `${this.prefix}${routeOptions.routeInfo?.method ?? ''}${routeOptions.routeInfo?.url ?? ''}-`);
    }
  };
}
