/**
 * The mail leg and the whole loop, measured against a real SMTP peer (smtp-server on loopback, in this process):
 *   - bare nodemailer: a pooled transport with UNDERSIGNED_SMTP_POOL connections sending N mails straight to the
 *     peer, the ceiling of what the outbox can reach through the same library;
 *   - outbox drain: N confirmation mails already queued in a fresh SQLite store, then `undersigned serve` started:
 *     seconds until the peer has them all (mails a second, and the ratio to bare nodemailer);
 *   - the loop: N people sign through the API at a fixed rate, each mail reaches the peer, which confirms from the
 *     link in it (POST /api/v1/confirmations) as the signer would; until the API counts all N. Confirmed signatures
 *     a second, the p50/p99 time from signing to confirmed, and whether anything was lost or doubled.
 * Figures only. BENCH_LOOP_N (default 3000, quick 600), BENCH_LOOP_RATE signings a second (default 1000),
 * UNDERSIGNED_SMTP_POOL connections (default 5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { openSqliteStore } from '../src/adapters/storage/sqlite/index.ts';
import { createBenchLetter } from './load.ts';
import { startUndersigned } from './servers.ts';

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

interface Peer {
  url: string;
  port: number;
  received: number;
  onMail: (raw: string) => void;
  close(): Promise<void>;
}

/** A real SMTP peer that counts what it receives and hands each message to `onMail`. */
async function startPeer(): Promise<Peer> {
  const peer = { received: 0, onMail: (_raw: string) => {} } as Peer;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    maxClients: 1000,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        peer.received++;
        peer.onMail(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  peer.port = (server.server.address() as AddressInfo).port;
  peer.url = `smtp://127.0.0.1:${peer.port}?tls=off`;
  peer.close = () => new Promise<void>((r) => server.close(() => r()));
  return peer;
}

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, body: unknown): Promise<{ status: number; body: string }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => void (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => void (text += d));
      res.on('end', () => resolve(text));
    }).on('error', reject).end();
  });
}

/** The confirmation token in a mail: its text part decoded (base64 or quoted-printable) and searched. */
function tokenOf(raw: string): string | undefined {
  const plain = raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
  const found = /confirm\?token=([A-Za-z0-9_-]+)/.exec(plain)?.[1];
  if (found) return found;
  for (const part of raw.split(/\r?\n\r?\n/)) {
    if (!/^[A-Za-z0-9+/=\r\n]+$/.test(part.trim())) continue;
    const text = Buffer.from(part.replace(/\s+/g, ''), 'base64').toString('utf8');
    const t = /confirm\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
    if (t) return t;
  }
  return undefined;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function bareNodemailer(peer: Peer, n: number, pool: number) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: peer.port, secure: false, ignoreTLS: true, pool: true, maxConnections: pool });
  const start = peer.received;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => t.sendMail({ from: 'bench@bench.example', to: `bare${i}@bench.example`, subject: 'Bench', text: `Mail ${i}` })));
  await until(() => peer.received - start >= n, 120_000, 'bare nodemailer');
  const s = (performance.now() - t0) / 1000;
  t.close();
  return { mails: n, connections: pool, seconds: round(s), mailsPerSec: Math.round(n / s) };
}

async function outboxDrain(peer: Peer, n: number, pool: number) {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-drain-'));
  try {
    const store = await openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 });
    const at = new Date().toISOString();
    for (let off = 0; off < n; off += 5000) {
      await store.transaction(async (tx) => {
        for (let i = off; i < Math.min(n, off + 5000); i++) {
          await tx.outbox.enqueue({
            id: `bench:${i}`,
            kind: 'mail',
            payload: { to: `drain${i}@bench.example`, lang: i % 2 ? 'fa' : 'en', template: 'confirm', params: { letterTitle: 'نامهٔ سرگشاده', name: `امضاکننده ${i}`, link: `http://bench.example/fa/confirm?token=t${i}`, expiresAt: at, withdrawLink: `http://bench.example/fa/withdraw?token=w${i}` } },
            runAt: at,
            attempts: 0,
            createdAt: at,
          });
        }
      });
    }
    await store.close();
    const start = peer.received;
    let first = 0;
    peer.onMail = () => {
      if (!first) first = performance.now();
    };
    const server = await startUndersigned(dir, { UNDERSIGNED_SMTP_URL: peer.url, UNDERSIGNED_SMTP_POOL: String(pool) });
    try {
      await until(() => peer.received - start >= n, 300_000, 'outbox drain');
      const s = (performance.now() - first) / 1000;
      peer.onMail = () => {};
      return { mails: n, connections: pool, seconds: round(s), mailsPerSec: Math.round((n - 1) / s), note: 'from the first mail received to the last' };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function loop(peer: Peer, n: number, rate: number, pool: number) {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-loop-'));
  try {
    const store = await openSqliteStore(join(dir, 'undersigned.db'), { foldIntervalMs: 0 });
    await createBenchLetter(store, 'bench-loop');
    await store.close();
    const server = await startUndersigned(dir, { UNDERSIGNED_SMTP_URL: peer.url, UNDERSIGNED_SMTP_POOL: String(pool) });
    try {
      const receivedBefore = peer.received; // the peer is shared with the earlier parts
      const signedAt = new Map<string, number>();
      const latencies: number[] = [];
      const statuses = new Map<number, number>();
      let confirmed = 0;
      let lastConfirmAt = 0;
      const pending: Promise<void>[] = [];
      peer.onMail = (raw) => {
        const token = tokenOf(raw);
        const who = /^To: (\S+)/im.exec(raw)?.[1];
        if (!token || !who) return;
        pending.push(post(`${server.url}/api/v1/confirmations`, { token }).then((r) => {
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status !== 200) return;
          confirmed++;
          lastConfirmAt = performance.now();
          const t = signedAt.get(who);
          if (t !== undefined) latencies.push(lastConfirmAt - t);
        }));
      };
      const t0 = performance.now();
      const signs: Promise<void>[] = [];
      let signErrors = 0;
      for (let i = 0; i < n; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const email = `loop${i}@bench.example`;
        signedAt.set(email, performance.now());
        signs.push(post(`${server.url}/api/v1/letters/bench-loop/signatures`, { name: `امضاکننده ${i}`, email, lang: 'fa' }).then((r) => {
          if (r.status !== 202) signErrors++;
        }));
      }
      await Promise.all(signs);
      const signSeconds = (performance.now() - t0) / 1000;
      await until(() => confirmed + (statuses.get(404) ?? 0) >= n - signErrors, Number(process.env.BENCH_LOOP_TIMEOUT_S ?? 600) * 1000, 'every signer confirmed');
      await Promise.all(pending);
      const seconds = (lastConfirmAt - t0) / 1000;
      // The API's count (cached for up to 2 s) until it shows every confirmation.
      let apiCount = 0;
      const countDeadline = Date.now() + 15_000;
      while (Date.now() < countDeadline) {
        apiCount = Number((JSON.parse(await get(`${server.url}/api/v1/letters/bench-loop`)) as { count?: number }).count ?? 0);
        if (apiCount >= confirmed) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      latencies.sort((a, b) => a - b);
      return {
        people: n,
        signingRate: rate,
        connections: pool,
        signSeconds: round(signSeconds),
        seconds: round(seconds),
        confirmedPerSec: Math.round(confirmed / seconds),
        signToConfirmedP50ms: round(pct(latencies, 50), 0),
        signToConfirmedP99ms: round(pct(latencies, 99), 0),
        confirmed,
        mailsReceived: peer.received - receivedBefore,
        signErrors,
        confirmStatuses: Object.fromEntries(statuses),
        apiCount,
        lostOrDoubled: apiCount !== n || confirmed !== n,
      };
    } finally {
      peer.onMail = () => {};
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `hello`: bare hello-world req/s from the same run, for the ratio. */
export async function benchMailLoop(opts: { quick?: boolean; hello?: number } = {}): Promise<Record<string, unknown>> {
  const n = Number(process.env.BENCH_LOOP_N ?? (opts.quick ? 600 : 3000));
  const rate = Number(process.env.BENCH_LOOP_RATE ?? 1000);
  const pool = Number(process.env.UNDERSIGNED_SMTP_POOL ?? 5);
  const peer = await startPeer();
  try {
    log(`mail: bare nodemailer, ${n} mails over ${pool} connections…`);
    const bare = await bareNodemailer(peer, n, pool);
    log('mail: outbox drain…');
    const drain = await outboxDrain(peer, n, pool);
    log(`mail: the whole loop, ${n} people at ${rate} signings a second…`);
    const whole = await loop(peer, n, rate, pool);
    return {
      bareNodemailer: bare,
      outboxDrain: { ...drain, ratioToBareNodemailer: round(drain.mailsPerSec / bare.mailsPerSec) },
      loop: { ...whole, ...(opts.hello ? { ratioToHelloWorld: round(whole.confirmedPerSec / opts.hello, 4) } : {}) },
    };
  } finally {
    await peer.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchMailLoop({ quick: process.env.BENCH_QUICK === '1' }), null, 2)}\n`);
}
