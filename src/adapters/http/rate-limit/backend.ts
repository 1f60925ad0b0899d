/**
 * Where @fastify/rate-limit keeps its counters, so that several server processes share one limit; main.ts chooses:
 *   - UNDERSIGNED_REDIS_URL set → Redis (ioredis; the plugin's own Lua-script store)
 *   - else on PostgreSQL → a table of counters in the database (PostgresRateLimitStore below)
 *   - else in a worker our `serve --processes N` primary forked (SQLite) → in that primary, over IPC (ipc.ts); a
 *     worker of another node:cluster primary (a process manager's) has nobody to answer it and counts in memory
 *   - else → in this process's memory (one process: SQLite)
 * Redis or PostgreSQL out of reach does not stop signing: the request goes through (skipOnError), because refusing
 * every signature while Redis restarts is worse than a minute without limits; @fastify/rate-limit does not log that.
 * The primary out of reach does not turn limits off: the worker counts in its own memory meanwhile (N × the limit
 * at worst over N workers) and says so on stderr (ipc.ts).
 */
import type { Kysely } from 'kysely';
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import { purgeRateLimits, rateLimitHits, rateLimitRead } from '../../storage/sql/rate-limits.ts';
import { clusterRateLimitStore, IpcRateLimitBatcher } from './ipc.ts';
import { answerInOrder, TurnBatches, type RateLimitCb } from './batch.ts';

type Cb = RateLimitCb;

interface RouteOptions {
  routeInfo?: { method?: string; url?: string };
}

/**
 * Hits counted in one turn of the event loop go to PostgreSQL together: one statement adds each key's number of hits
 * (storage/sql/rate-limits.ts), and each request gets the count it would have got alone, in arrival order. The
 * counters stay shared and exact across processes, since each statement adds exactly the hits it carries.
 */
export class RateLimitHitBatcher {
  private readonly batches: TurnBatches;

  constructor(db: Kysely<any>) {
    this.batches = new TurnBatches((windowMs, hits, perKey) => {
      rateLimitHits(db, [...perKey].map(([key, n]) => ({ key, n })), windowMs).then(
        (after) => answerInOrder(hits, perKey, (key) => after.get(key), (h) => h.cb(new Error('rate limit counter not returned'))),
        (e: Error) => {
          for (const h of hits) h.cb(e);
        },
      );
    });
  }

  hit(key: string, windowMs: number, cb: Cb): void {
    this.batches.add(windowMs, { key, n: 1, cb });
  }
}

/** A store class for @fastify/rate-limit that counts in PostgreSQL; `db` is the store's Kysely instance. */
export function postgresRateLimitStore(db: Kysely<any>, prefix = 'rl:') {
  let purged = 0;
  const batcher = new RateLimitHitBatcher(db);
  return class PostgresRateLimitStore {
    readonly prefix: string;
    constructor(_globalParams?: unknown, routePrefix = prefix) {
      this.prefix = routePrefix;
    }
    incr(key: string, cb: Cb, timeWindow: number): void {
      if (Date.now() - purged > 60_000) {
        purged = Date.now();
        purgeRateLimits(db).catch(() => undefined);
      }
      batcher.hit(this.prefix + key, timeWindow, cb);
    }
    read(key: string, cb: Cb): void {
      rateLimitRead(db, this.prefix + key).then((r) => cb(null, r), (e: Error) => cb(e));
    }
    child(routeOptions: RouteOptions) {
      return new PostgresRateLimitStore(undefined, `${this.prefix}${routeOptions.routeInfo?.method ?? ''}${routeOptions.routeInfo?.url ?? ''}-`);
    }
  };
}

export interface RateLimitBackend {
  kind: 'redis' | 'postgres' | 'cluster' | 'memory';
  /** Spread into the plugin's registration options. */
  options: Partial<RateLimitPluginOptions>;
  close(): Promise<void>;
}

/** The one batcher of this worker process (one listener on its channel, however many apps it builds). */
let ipcBatcher: IpcRateLimitBatcher | undefined;

/**
 * The backend for these settings and this store. `clusterWorker`: this process is a worker of our
 * `serve --processes N` primary (main.ts decides it from cluster/worker.ts), which keeps the counters when nothing
 * else is shared.
 */
export async function rateLimitBackend(opts: { redisUrl?: string | undefined; store: unknown; clusterWorker?: boolean | undefined }): Promise<RateLimitBackend> {
  if (opts.redisUrl) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(opts.redisUrl, {
      // Fail fast while Redis is away (skipOnError lets the request through).
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      enableOfflineQueue: true,
      lazyConnect: false,
    });
    redis.on('error', () => undefined);
    return {
      kind: 'redis',
      options: { redis, nameSpace: 'undersigned-rl-', skipOnError: true },
      async close() {
        redis.disconnect();
      },
    };
  }
  const sqlStore = opts.store as { dialect?: string; db?: Kysely<any> } | undefined;
  if (sqlStore?.dialect === 'postgres' && sqlStore.db) {
    return { kind: 'postgres', options: { store: postgresRateLimitStore(sqlStore.db) as never, skipOnError: true }, async close() {} };
  }
  if (opts.clusterWorker) {
    ipcBatcher ??= new IpcRateLimitBatcher();
    // The batcher never fails a hit (it counts here when the primary does not answer); skipOnError stays as a guard.
    return { kind: 'cluster', options: { store: clusterRateLimitStore(ipcBatcher) as never, skipOnError: true }, async close() {} };
  }
  return { kind: 'memory', options: {}, async close() {} };
}
