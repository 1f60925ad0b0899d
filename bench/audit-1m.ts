/**
 * Independent verification at scale (issue 4 target: a 1,000,000-entry log downloaded from a local instance,
 * rebuilt and verified in under 30 s). Fills a fresh instance's log with N confirmed signatures (queued as
 * confirm() queues them, sequenced by the instance's own sequencer), serves it on loopback, and times
 * `undersigned audit BASE_URL` over HTTP. Figures only. `node --import tsx bench/audit-1m.ts [N]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { buildApp } from '../src/main.ts';
import { loadConfig } from '../src/config.ts';
import { nodeSecrets } from '../src/adapters/node-secrets.ts';
import type { Signature } from '../src/core/model.ts';
import { createLetter } from '../src/use-cases/create-letter.ts';
import { logSignature } from '../src/use-cases/log.ts';
import { spawn } from 'node:child_process';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

export async function benchAudit(n = 1_000_000): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-audit-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = await buildApp(loadConfig({ UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_BASE_URL: base }, { dataDir: dir }));
  try {
    const deps = app.deps;
    const letter = await createLetter(deps, { slug: 'audit-big', addressee: { name: 'Bench' }, defaultLang: 'en', versions: [{ lang: 'en', title: 'Bench', body: 'Bench letter.' }] }, { publish: true });
    let t0 = performance.now();
    const now = new Date().toISOString();
    for (let start = 0; start < n; start += 2000) {
      await app.store.transaction(async (tx) => {
        for (let i = start; i < Math.min(n, start + 2000); i++) {
          const sig: Signature = {
            id: nodeSecrets.newId(), letterId: letter.id, email: `s${i}@bench.example`, emailKey: `s${i}@bench.example`, name: `Signer ${i}`,
            visibility: i % 10 === 0 ? 'hidden' : 'public', lang: 'en', consentUpdates: false, status: 'confirmed', textVersion: 1, mailsSent: 0, imported: false,
            createdAt: now, updatedAt: now, confirmedAt: now,
          };
          await tx.signatures.insert(sig);
          await logSignature(tx, deps, letter, sig);
        }
      });
      if (start % 100_000 === 0) process.stderr.write(`\rqueued ${start}/${n}`);
    }
    const queueMs = performance.now() - t0;
    t0 = performance.now();
    while ((await app.sequencer.drain(1000)) > 0);
    const sequenceMs = performance.now() - t0;
    process.stderr.write(`\rqueued ${n}, sequenced in ${Math.round(sequenceMs)} ms\n`);
    const http = await app.http();
    await http.listen({ port, host: '127.0.0.1' });
    // The auditor is another process, as a third party would be: it must not share the server's event loop.
    t0 = performance.now();
    const child = spawn(process.execPath, ['bin/undersigned.js', 'audit', base, '--json', '--state', join(dir, 'audit-state.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
    const auditMs = performance.now() - t0;
    let report: unknown = out;
    try {
      report = JSON.parse(out);
    } catch {
      /* keep text */
    }
    return { entries: n, queueMs: Math.round(queueMs), sequenceMs: Math.round(sequenceMs), auditOverHttpMs: Math.round(auditMs), auditExit: code, auditOk: code === 0, auditStderrTail: err.slice(-300), report: typeof report === 'object' && report ? Object.fromEntries(Object.entries(report as Record<string, unknown>).filter(([k]) => ['ok', 'size', 'entries', 'tilesChecked'].includes(k))) : report };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchAudit(Number(process.argv[2] ?? 1_000_000)).then((r) => console.log(JSON.stringify(r, null, 2)));
}
