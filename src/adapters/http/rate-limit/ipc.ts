/**
 * Rate limits shared by the server processes of one `serve --processes N` without Redis or PostgreSQL (SQLite): the
 * counters live in the cluster's primary process, and each worker asks it over the cluster's IPC channel.
 * Threat: connections are spread over the workers, so counters kept in each worker would let one address make N times
 * the allowance. The primary counts every worker's hits on one counter per key, in fixed windows (a window starts at
 * its key's first hit and lasts the route's time window), as the Redis and PostgreSQL stores do.
 *
 * A worker sends the hits of one event-loop turn together (one message per window length), and each request gets the
 * count it would have got alone, in arrival order (as RateLimitHitBatcher does on PostgreSQL).
 * Threats on the way:
 * - The primary does not answer within REPLY_MS (stopping, or held up by a flood) or the channel is closed: the
 *   worker counts those hits in a fixed-window counter of its own, so a limit still holds (at worst N times the limit
 *   over N workers, never unlimited), and says so on stderr at most once per REPORT_MS.
 * - A malformed message (a bug, or a process that is not ours): the primary refuses it whole (RateLimitCounters.handle
 *   throws, cluster/primary.ts reports it and answers nothing), never with an exception that would stop it.
 * - A flood from very many addresses: the primary keeps at most `maxKeys` windows (100,000: about 27 MB), forgetting
 *   the oldest one per new key beyond that, and sweeps ended windows a bounded step per message.
 */

import { answerInOrder, TurnBatches, type QueuedHit, type RateLimitCb } from './batch.ts';

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

type Cb = RateLimitCb;

/** Bounds of a request's fields (a real one is far inside them). */
export const MAX_WINDOW_MS = 24 * 3600_000;
export const MAX_KEY_LENGTH = 1024;
export const MAX_HITS_PER_MESSAGE = 100_000;
const MAX_COUNT = 1_000_000;

function isOurs(m: unknown): boolean {
  return typeof m === 'object' && m !== null && (m as { t?: unknown }).t === RATE_LIMIT_MESSAGE;
}

/** Checks a message marked as ours; throws (without quoting its keys: they hold addresses) if it is malformed. */
function checkRequest(m: unknown): RateLimitRequest {
  const r = m as Partial<RateLimitRequest>;
  if (!Number.isSafeInteger(r.id)) throw new TypeError('rate-limit request: id is not an integer');
  const w = r.windowMs;
  if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0 || w > MAX_WINDOW_MS) throw new TypeError('rate-limit request: windowMs is not within (0, 24 h]');
  if (!Array.isArray(r.hits) || r.hits.length > MAX_HITS_PER_MESSAGE) throw new TypeError('rate-limit request: hits is not a list of a bounded length');
  r.hits.forEach((h: unknown, i) => {
    if (!Array.isArray(h) || h.length !== 2) throw new TypeError(`rate-limit request: hit ${i} is not [key, count]`);
    if (typeof h[0] !== 'string' || h[0].length === 0 || h[0].length > MAX_KEY_LENGTH) throw new TypeError(`rate-limit request: hit ${i} has no key of 1 to ${MAX_KEY_LENGTH} characters`);
    // 0 reads the counter (the limiter's read); a count is a whole number of hits.
    if (!Number.isInteger(h[1]) || h[1] < 0 || h[1] > MAX_COUNT) throw new TypeError(`rate-limit request: hit ${i} has no whole count from 0 to ${MAX_COUNT}`);
  });
  return r as RateLimitRequest;
}

function isReply(m: unknown): m is RateLimitReply {
  const r = m as RateLimitReply | null;
  return typeof r === 'object' && r !== null && r.t === RATE_LIMIT_MESSAGE && typeof r.id === 'number' && Array.isArray(r.counts);
}

/**
 * Fixed-window counters: in the primary for all workers, and in each worker for the hits its primary did not answer.
 * Memory stays bounded: past `maxKeys` windows (a flood from very many addresses) each new key forgets the oldest
 * window (O(1): the map is in order of window start, and one kept iterator walks its front), and ended windows are
 * swept SWEEP_STEP at a time by each message, a pass at most every SWEEP_MS — no pause proportional to the keys. A
 * forgotten address starts a new window, so the cap errs towards letting requests through, never towards refusing.
 */
export class RateLimitCounters {
  static readonly SWEEP_MS = 10_000;
  static readonly SWEEP_STEP = 1000;
  private readonly windows = new Map<string, { count: number; until: number }>();
  private lastSweep = -Infinity;
  /** The sweep in progress: a live iterator, so a pass spreads over messages. */
  private sweeping: Iterator<[string, { count: number; until: number }]> | undefined;
  /** Walks the map's front for eviction; every entry before it was deleted (or re-inserted at the end). */
  private evicting: Iterator<string> | undefined;

  constructor(private readonly now: () => number = Date.now, readonly maxKeys = 100_000) {}

  get size(): number {
    return this.windows.size;
  }

  /** Adds `n` hits to `key` (0: only reads) and returns its count and the time left in its window. */
  hit(key: string, n: number, windowMs: number, now = this.now()): { current: number; ttl: number } {
    let w = this.windows.get(key);
    if (!w || w.until <= now) {
      if (n === 0) return { current: 0, ttl: 0 };
      if (w) this.windows.delete(key); // re-inserted last: the map stays in order of window start
      w = { count: 0, until: now + windowMs };
      this.windows.set(key, w);
      if (this.windows.size > this.maxKeys) this.evictOldest();
    }
    w.count += n;
    return { current: w.count, ttl: w.until - now };
  }

  /**
   * Answers a worker's message: undefined if it is not one of ours; throws if it is ours but malformed (checked whole
   * before any hit is counted).
   */
  handle(message: unknown): RateLimitReply | undefined {
    if (!isOurs(message)) return undefined;
    const m = checkRequest(message);
    const now = this.now();
    this.sweepStep(now);
    const counts = m.hits.map(([key, n]): [number, number] => {
      const r = this.hit(key, n, m.windowMs, now);
      return [r.current, r.ttl];
    });
    return { t: RATE_LIMIT_MESSAGE, id: m.id, counts };
  }

  private evictOldest(): void {
    for (let i = 0; i < 2; i++) {
      this.evicting ??= this.windows.keys();
      const k = this.evicting.next();
      if (!k.done) {
        this.windows.delete(k.value);
        return;
      }
      this.evicting = undefined; // an ended iterator stays ended: start again at the front
    }
  }

  /** One step of the sweep of ended windows (a new pass at most every SWEEP_MS). */
  sweepStep(now = this.now()): void {
    if (!this.sweeping) {
      if (now - this.lastSweep < RateLimitCounters.SWEEP_MS) return;
      this.lastSweep = now;
      this.sweeping = this.windows.entries();
    }
    for (let i = 0; i < RateLimitCounters.SWEEP_STEP; i++) {
      const e = this.sweeping.next();
      if (e.done) {
        this.sweeping = undefined;
        return;
      }
      if (e.value[1].until <= now) this.windows.delete(e.value[0]);
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

/**
 * The worker's side: the hits of one event-loop turn go to the primary in one message per window length. Hits the
 * primary does not answer (REPLY_MS, a closed channel, a reply without their count) are counted in this worker's own
 * fixed windows instead (`local`), so a limit holds meanwhile (per worker); that is reported through `report` at most
 * once per REPORT_MS, never with the keys (they hold addresses). @fastify/rate-limit would swallow an error silently
 * (skipOnError), so none is passed to it.
 */
export class IpcRateLimitBatcher {
  static readonly REPLY_MS = 2000;
  static readonly REPORT_MS = 10_000;
  private readonly batches = new TurnBatches((windowMs, hits, perKey) => this.send(windowMs, hits, perKey));
  private nextId = 1;
  private readonly waiting = new Map<number, { windowMs: number; hits: QueuedHit[]; perKey: Map<string, number>; timer: NodeJS.Timeout }>();
  /** This worker's own counters, for the hits its primary did not answer. */
  readonly local: RateLimitCounters;
  private lastReport = -Infinity;
  private unreported = 0;

  constructor(
    private readonly channel: PrimaryChannel = processChannel(),
    private readonly report: (text: string) => void = (text) => void process.stderr.write(text),
    private readonly now: () => number = Date.now,
  ) {
    this.local = new RateLimitCounters(now, 10_000);
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
    this.batches.add(windowMs, { key, n, cb });
  }

  private send(windowMs: number, hits: QueuedHit[], perKey: Map<string, number>): void {
    const id = this.nextId++;
    const timer = setTimeout(() => this.fail(id, `no answer within ${IpcRateLimitBatcher.REPLY_MS} ms`), IpcRateLimitBatcher.REPLY_MS);
    // The reply carries one count per key of `perKey`, in its order; answer() maps them back to the hits.
    this.waiting.set(id, { windowMs, hits, perKey, timer });
    this.channel.send({ t: RATE_LIMIT_MESSAGE, id, windowMs, hits: [...perKey] }, (err) => {
      if (err) this.fail(id, err.message);
    });
  }

  private answer(reply: RateLimitReply): void {
    const w = this.waiting.get(reply.id);
    if (!w) return;
    this.waiting.delete(reply.id);
    clearTimeout(w.timer);
    const after = new Map<string, { current: number; ttl: number }>();
    [...w.perKey.keys()].forEach((k, i) => {
      const c = reply.counts[i];
      if (Array.isArray(c) && Number.isFinite(c[0]) && Number.isFinite(c[1])) after.set(k, { current: c[0], ttl: c[1] });
    });
    let missing = false;
    answerInOrder(w.hits, w.perKey, (key) => after.get(key), (h) => {
      missing = true;
      this.countHere(h, w.windowMs);
    });
    if (missing) this.reportFailure('a reply without some counts');
  }

  private fail(id: number, why: string): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    for (const h of w.hits) this.countHere(h, w.windowMs);
    this.reportFailure(why);
  }

  /** A hit the primary did not count, counted in this worker's own windows (in arrival order, as the primary would). */
  private countHere(h: QueuedHit, windowMs: number): void {
    this.local.sweepStep();
    h.cb(null, this.local.hit(h.key, h.n, windowMs));
  }

  private reportFailure(why: string): void {
    const t = this.now();
    if (t - this.lastReport < IpcRateLimitBatcher.REPORT_MS) {
      this.unreported++;
      return;
    }
    const more = this.unreported ? ` (${this.unreported} more since the last report)` : '';
    this.lastReport = t;
    this.unreported = 0;
    this.report(`undersigned: the rate limits of process ${process.pid} are counted in it alone for now: the primary process's counts did not come (${why})${more}.\n`);
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
