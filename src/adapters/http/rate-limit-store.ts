/**
 * Where @fastify/rate-limit keeps its counters, so that several server processes share one limit (issue 5):
 *   - UNDERSIGNED_REDIS_URL set → Redis (ioredis; the plugin's own Lua-script store)
 *   - else on PostgreSQL → a table of counters in the database (PostgresRateLimitStore below)
 *   - else → in this process's memory (one process: SQLite)
 * A store that cannot be reached does not stop signing: the request goes through and the error is logged
 * (skipOnError), because refusing every signature while Redis restarts is worse than a minute without limits.
 */
import type { Kysely } from 'kysely';
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import { purgeRateLimits, rateLimitHit, rateLimitRead } from '../storage/sql/rate-limits.ts';

type Cb = (err: Error | null, res?: { current: number; ttl: number }) => void;

interface RouteOptions {
  routeInfo?: { method?: string; url?: string };
}

/** A store class for @fastify/rate-limit that counts in PostgreSQL; `db` is the store's Kysely instance. */
export function postgresRateLimitStore(db: Kysely<any>, prefix = 'rl:') {
  let purged = 0;
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
      rateLimitHit(db, this.prefix + key, timeWindow).then((r) => cb(null, r), (e: Error) => cb(e));
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
  kind: 'redis' | 'postgres' | 'memory';
  /** Spread into the plugin's registration options. */
  options: Partial<RateLimitPluginOptions>;
  close(): Promise<void>;
}

/** Chooses the backend from the settings and the store in use. */
export async function rateLimitBackend(opts: { redisUrl?: string | undefined; store: unknown }): Promise<RateLimitBackend> {
  if (opts.redisUrl) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(opts.redisUrl, {
      // Fail fast instead of queueing commands while Redis is away (skipOnError lets the request through).
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
  return { kind: 'memory', options: {}, async close() {} };
}
