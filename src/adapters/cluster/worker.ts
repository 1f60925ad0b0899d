/**
 * The worker's side of `serve --processes N` (the primary is primary.ts): whether this process is a worker our
 * primary forked, the relay of its terminal output to the primary, and the SQLite write lock's signals.
 */
import cluster from 'node:cluster';

/** Set by runPrimary in the environment of each worker it forks: the primary's pid. */
export const WORKER_ENV = 'UNDERSIGNED_CLUSTER_WORKER';

/**
 * Is a process with this environment, cluster role and parent a worker forked by runPrimary? A worker of another
 * node:cluster primary is not (no marker, or the marker of another parent): nobody there answers our messages.
 */
export function forkedByOurPrimary(env: NodeJS.ProcessEnv, isWorker: boolean, ppid: number): boolean {
  return isWorker && env[WORKER_ENV] === String(ppid);
}

let ourWorker: boolean | undefined;

/**
 * True in a worker of `serve --processes N` (forked by runPrimary): its primary prints for it, counts its rate limits
 * and passes the write lock's signals. False in a single process and under another node:cluster primary, where the
 * process behaves as a single server. Decided once, at the first call (a worker outliving its primary keeps its role).
 */
export function isUndersignedWorker(): boolean {
  return (ourWorker ??= forkedByOurPrimary(process.env, cluster.isWorker, process.ppid));
}

/** Marks a worker's message meant for the terminal (src/cli.ts sends it to the primary, which prints it once). */
export const STDERR_MESSAGE = 'undersigned:stderr';

export function workerStderr(text: string): { t: typeof STDERR_MESSAGE; text: string } {
  return { t: STDERR_MESSAGE, text };
}

export function isStderr(m: unknown): m is { t: typeof STDERR_MESSAGE; text: string } {
  return typeof m === 'object' && m !== null && (m as { t?: unknown }).t === STDERR_MESSAGE && typeof (m as { text?: unknown }).text === 'string';
}

/*
 * The SQLite write lock's signals (storage/sqlite/group-commit.ts: onLockBusy / afterCommit / lockReleased): a
 * worker whose group commit found the lock taken says it waits; a worker that committed says so; the primary passes
 * that on to the workers waiting, which try at once, before their next 1 ms tick. One message per COMMIT to the
 * primary, one per waiting worker from it; the lock itself stays SQLite's (a lost or late message costs only the
 * timer's wait).
 */
export const LOCK_WAITING = 'undersigned:write-lock-waiting';
export const LOCK_RELEASED = 'undersigned:write-lock-released';
export const LOCK_FREE = 'undersigned:write-lock-free';

export type LockSignal = { t: typeof LOCK_WAITING | typeof LOCK_RELEASED };

export function isLockSignal(m: unknown): m is LockSignal {
  const t = typeof m === 'object' && m !== null ? (m as { t?: unknown }).t : undefined;
  return t === LOCK_WAITING || t === LOCK_RELEASED;
}

/** What a worker's store offers for the signals (the SQLite store's group commit). */
export interface SharedWriteLock {
  afterCommit: (() => void) | undefined;
  onLockBusy: (() => void) | undefined;
  lockReleased(): void;
}

/** In a worker of `serve --processes N`: connects the store's write-lock signals to the primary. */
export function shareWriteLock(store: SharedWriteLock): () => void {
  const send = (t: LockSignal['t']) => {
    // The primary gone (it is stopping): the timer still retries.
    if (process.connected) process.send!({ t }, undefined, undefined, () => undefined);
  };
  store.onLockBusy = () => send(LOCK_WAITING);
  store.afterCommit = () => send(LOCK_RELEASED);
  const onMessage = (m: unknown) => {
    if (typeof m === 'object' && m !== null && (m as { t?: unknown }).t === LOCK_FREE) store.lockReleased();
  };
  process.on('message', onMessage);
  return () => {
    store.onLockBusy = undefined;
    store.afterCommit = undefined;
    process.off('message', onMessage);
  };
}
