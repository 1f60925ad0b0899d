/**
 * The audit's second thread: it downloads each bundle's openings export and checks every public name against the
 * commitments the main thread found in that bundle (checkOpenings), while the main thread downloads, hashes and
 * counts the entries. At a million entries that is 900,000 HMACs and 70 MB of JSON off the main thread.
 *
 * Messages in:  {type: 'plan', base, size}            the log (checkpoint size): start downloading, AHEAD bundles ahead
 *               {type: 'bundles', bs: BundleSigs[]}   sig entries and name commitments of the next bundles: check them
 *               {type: 'end'}                         no more bundles
 * Messages out: {type: 'ready'}, {type: 'results', rs: OpeningsResult[]}, {type: 'done'}
 * Bundles and results travel in batches: a message per bundle cost the main thread more than the check saved it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HttpGet } from '../http-get.ts';
import { auditCrypto } from './crypto.ts';
import { entriesPath } from '../../../core/log/index.ts';
import { checkOpenings, openingsPath, type BundleSigs, type OpeningsResult } from './openings.ts';

type Fetched = { v: Buffer } | { e: Error };
type In = { type: 'plan'; base: string; size: number } | { type: 'bundles'; bs: BundleSigs[] } | { type: 'end' };

/** Openings downloaded ahead of the bundles the main thread has handed in. */
const AHEAD = 32;

/** Shared by the worker and by the audit's own thread when no worker can start. */
export class OpeningsChecker {
  private readonly bodies = new Map<number, { path: string; body: Promise<Fetched> }>();
  private chain: Promise<void> = Promise.resolve();
  private base = '';
  private bundles = 0;
  private size = 0;
  private next = 0;

  constructor(private readonly http: HttpGet, private readonly onResult: (r: OpeningsResult) => void) {}

  /** The log to check: its base URL and the checkpoint's size (so every bundle's path and width are known). */
  plan(base: string, size: number): void {
    this.base = base;
    this.size = size;
    this.bundles = Math.ceil(size / 256);
    this.fetchUpTo(AHEAD);
  }

  private fetchUpTo(k: number): void {
    for (; this.next < Math.min(k, this.bundles); this.next++) {
      const i = this.next;
      const path = openingsPath(entriesPath(i, Math.min(256, this.size - i * 256)));
      this.bodies.set(i, { path, body: this.http.ok(`${this.base}/log/${path}`).then((v) => ({ v }), (e: unknown) => ({ e: e as Error })) });
    }
  }

  bundle(b: BundleSigs): void {
    this.fetchUpTo(b.index + 1 + AHEAD);
    const f = this.bodies.get(b.index);
    this.bodies.delete(b.index);
    this.chain = this.chain.then(async () => {
      if (!f) return this.onResult({ index: b.index, verified: [], erased: [], duplicates: [], problems: [{ code: 'OPENINGS_UNREADABLE', message: `bundle ${b.index} is not in the checkpoint` }] });
      const got = await f.body;
      if ('e' in got) {
        return this.onResult({ index: b.index, verified: [], erased: [], duplicates: [], problems: [{ code: 'OPENINGS_UNREADABLE', path: f.path, message: `the public names of bundle ${b.index} could not be read: ${got.e.message}` }] });
      }
      this.onResult(checkOpenings(auditCrypto, b, got.v, f.path));
    });
  }

  /** Waits for every bundle handed in (and for downloads of bundles never handed in, so that nothing is left open). */
  async finish(): Promise<void> {
    await this.chain;
    await Promise.all([...this.bodies.values()].map((x) => x.body));
    this.bodies.clear();
  }
}

if (parentPort && (workerData as { undersignedAuditOpenings?: boolean } | undefined)?.undersignedAuditOpenings) {
  const port = parentPort;
  const http = new HttpGet({ sockets: 4 });
  // Results go back in batches too: one message per bundle cost the main thread more than the check saved it.
  let out: OpeningsResult[] = [];
  const flush = () => {
    if (out.length) port.postMessage({ type: 'results', rs: out });
    out = [];
  };
  const checker = new OpeningsChecker(http, (r) => {
    out.push(r);
    if (out.length >= 16) flush();
  });
  port.on('message', (m: In) => {
    if (m.type === 'plan') checker.plan(m.base, m.size);
    else if (m.type === 'bundles') for (const b of m.bs) checker.bundle(b);
    else
      void checker.finish().then(() => {
        flush();
        http.close();
        port.postMessage({ type: 'done' });
      });
  });
  port.postMessage({ type: 'ready' });
}
