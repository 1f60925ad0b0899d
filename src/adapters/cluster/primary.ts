/**
 * `undersigned serve --processes N`: one primary process supervises N worker processes (node:cluster), each running
 * the ordinary server on the same port (the primary accepts connections and hands them round-robin to the workers).
 * The primary opens no server of its own: it prepares the storage once (migrations, keys) before forking, answers the
 * workers' rate-limit counts (http/rate-limit/ipc.ts), prints one "listening" line when every worker listens, replaces
 * a worker that dies, and stops them all cleanly on SIGINT/SIGTERM. Why node:cluster: docs/decisions/0004.
 *
 * Threats and how each is met:
 * - A bad start (port in use, unreadable database) fails in every worker alike: any worker that exits before all
 *   have listened stops the whole start, with the worker's message printed once and a non-zero exit code.
 * - A worker that keeps dying would spin: each replacement waits longer (backoff doubling with every death in the
 *   last minute, up to BACKOFF_MAX_MS), and after MAX_FAILED_STARTS replacements in a row that never listened the
 *   primary gives up and stops with exit code 1.
 * - A worker that does not stop: SIGKILL after STOP_MS.
 * - A worker's message that makes the primary's handler throw (malformed): answered with nothing (the worker then
 *   counts its rate limits itself) and reported at most once per REPORT_MS; it never stops the primary.
 * - Another node:cluster primary (a process manager's cluster mode) runs `undersigned serve` as its worker: nothing
 *   there answers our messages. Our workers are told apart by WORKER_ENV (set by runPrimary to its pid), never by
 *   `cluster.isWorker`; a worker of another primary runs as a single server (isUndersignedWorker).
 */
import cluster, { type Worker } from 'node:cluster';
import { isLockSignal, isStderr, LOCK_FREE, LOCK_WAITING, WORKER_ENV, type LockSignal } from './worker.ts';

/** Where the primary prints (the CLI's output streams). */
export interface PrimaryIO {
  out(text: string): void;
  err(text: string): void;
}

/** What the primary keeps for its workers (prepared by main.ts prepareClusterPrimary). */
export interface ClusterPrimary {
  /** Answers a worker's message on the cluster's channel; undefined for a message it does not know; throws on a malformed one. */
  onWorkerMessage(message: unknown): unknown;
}

export interface PrimaryOptions {
  processes: number;
  io: PrimaryIO;
  /** The line printed once all workers listen, given the port they share and the workers' pids. */
  banner(port: number, pids: number[]): string;
  /** Answers a worker's message (rate limits); undefined: no answer. May throw on a malformed message. */
  onWorkerMessage(message: unknown): unknown;
  /** Knobs for tests. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  stopMs?: number;
}

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 30_000;
export const MAX_FAILED_STARTS = 5;
export const STOP_MS = 30_000;
/** A worker's message refused by the primary is reported at most this often. */
export const REPORT_MS = 10_000;

/**
 * Wraps the primary's answer to its workers' messages: a message it throws on (malformed: a bug, or a process that is
 * not ours) gets no answer and is reported at most once per REPORT_MS (with how many were not), never with its
 * content (rate-limit keys hold addresses); the primary goes on.
 */
export function answerWorkers(answer: (message: unknown) => unknown, report: (text: string) => void, now: () => number = Date.now): (message: unknown) => unknown {
  let last = -Infinity;
  let unreported = 0;
  return (message) => {
    try {
      return answer(message);
    } catch (e) {
      const t = now();
      if (t - last < REPORT_MS) {
        unreported++;
        return undefined;
      }
      const more = unreported ? ` (and ${unreported} more since the last report)` : '';
      last = t;
      unreported = 0;
      report(`undersigned: a server process's message was refused: ${(e as Error)?.message ?? String(e)}${more}.\n`);
      return undefined;
    }
  };
}

function how(code: number | null, signal: string | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** Runs the primary until it is stopped (SIGINT/SIGTERM) or the workers cannot be started; returns its exit code. */
export function runPrimary(o: PrimaryOptions): Promise<number> {
  const base = o.backoffBaseMs ?? BACKOFF_BASE_MS;
  const max = o.backoffMaxMs ?? BACKOFF_MAX_MS;
  const stopMs = o.stopMs ?? STOP_MS;
  return new Promise<number>((resolve) => {
    const workers = new Map<number, { worker: Worker; listening: boolean }>();
    const deaths: number[] = [];
    const timers = new Set<NodeJS.Timeout>();
    let ready = false;
    let stopping = false;
    let exitCode = 0;
    let failedStarts = 0;
    let killTimer: NodeJS.Timeout | undefined;
    // A message printed by several workers at once (the same bad start) is shown once.
    const printed = new Map<string, number>();
    const print = (text: string) => {
      const now = Date.now();
      if (now - (printed.get(text) ?? -Infinity) < 10_000) return;
      if (printed.size > 100) printed.clear();
      printed.set(text, now);
      o.io.err(text);
    };

    // Workers whose group commit waits for SQLite's write lock (shareWriteLock).
    const lockWaiters = new Set<number>();
    const onLockSignal = (from: Worker, m: LockSignal) => {
      if (m.t === LOCK_WAITING) return void lockWaiters.add(from.id);
      for (const id of lockWaiters) {
        if (id === from.id) continue;
        const w = workers.get(id)?.worker;
        if (w?.isConnected()) w.send({ t: LOCK_FREE } as never, undefined, () => undefined);
      }
      lockWaiters.clear();
    };

    const answer = answerWorkers((m) => o.onWorkerMessage(m), (text) => o.io.err(text));
    const fork = () => {
      // The marker tells the worker that this primary answers it (isUndersignedWorker).
      const worker = cluster.fork({ [WORKER_ENV]: String(process.pid) });
      workers.set(worker.id, { worker, listening: false });
      worker.on('message', (m: unknown) => {
        if (isStderr(m)) return print(m.text);
        if (isLockSignal(m)) return onLockSignal(worker, m);
        const reply = answer(m);
        if (reply !== undefined && worker.isConnected()) worker.send(reply as never, undefined, () => undefined);
      });
      // A channel error (the worker died while a reply was on its way) is reported by the exit, not thrown here.
      worker.on('error', () => undefined);
    };

    const onListening = (worker: Worker, address: { port: number }) => {
      const w = workers.get(worker.id);
      if (!w || w.listening) return;
      w.listening = true;
      failedStarts = 0;
      if (!ready && !stopping && [...workers.values()].filter((x) => x.listening).length === o.processes) {
        ready = true;
        o.io.err(o.banner(address.port, [...workers.values()].map((x) => x.worker.process.pid!)));
      }
    };

    const onExit = (worker: Worker, code: number | null, signal: string | null) => {
      const w = workers.get(worker.id);
      if (!w) return;
      workers.delete(worker.id);
      lockWaiters.delete(worker.id);
      const pid = worker.process.pid;
      // Killed by our SIGTERM, or by the SIGINT of a Ctrl-C that reached the whole process group, before it had set up
      // its own stop (still starting): a clean stop. Anything else while stopping is not.
      if (stopping) {
        if (!(signal === 'SIGTERM' || signal === 'SIGINT' || (code === 0 && !signal))) exitCode ||= 1;
        if (!workers.size) finish();
        return;
      }
      // Ctrl-C during the start: the workers may die of it before this process handles its own SIGINT.
      if (!ready && signal === 'SIGINT') return stop(0);
      if (!ready) {
        print(`undersigned: a server process (pid ${pid}) stopped while starting (${how(code, signal)}); stopping the others.\n`);
        return stop(code || 1);
      }
      if (!w.listening && ++failedStarts >= MAX_FAILED_STARTS) {
        print(`undersigned: ${failedStarts} replacement server processes in a row stopped before listening (last: ${how(code, signal)}); stopping.\n`);
        return stop(1);
      }
      const now = Date.now();
      while (deaths.length && deaths[0]! < now - 60_000) deaths.shift();
      const delay = Math.min(max, base * 2 ** deaths.length);
      deaths.push(now);
      o.io.err(`undersigned: server process ${pid} stopped unexpectedly (${how(code, signal)}); starting another in ${delay} ms.\n`);
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopping) fork();
      }, delay);
      timers.add(t);
    };

    const stop = (code = 0) => {
      exitCode ||= code;
      if (stopping) return;
      stopping = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      if (ready) o.io.err('Stopping…\n');
      for (const { worker } of workers.values()) worker.process.kill('SIGTERM');
      killTimer = setTimeout(() => {
        for (const { worker } of workers.values()) worker.process.kill('SIGKILL');
      }, stopMs);
      if (!workers.size) finish();
    };

    const onSignal = () => stop(0);
    const finish = () => {
      if (killTimer) clearTimeout(killTimer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      cluster.off('listening', onListening);
      cluster.off('exit', onExit);
      resolve(exitCode);
    };

    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    cluster.on('listening', onListening);
    cluster.on('exit', onExit);
    for (let i = 0; i < o.processes; i++) fork();
  });
}
