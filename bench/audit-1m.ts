/**
 * Independent verification at scale (issue 4 target: a 1,000,000-entry log downloaded from a local instance,
 * rebuilt and verified in under 30 s). Fills a fresh instance's log with N confirmed signatures (queued as
 * confirm() queues them, sequenced by the instance's own sequencer), serves it on loopback, and times
 * `undersigned audit BASE_URL` over HTTP, run as its own process: once as the server starts (auditOverHttpMs), once
 * more right after (auditAgainMs: the server's public list is sorted by then). Figures only.
 * `node --import tsx bench/audit-1m.ts [N]`.
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
import { logSignature } from '../src/use-cases/steps/log-entries.ts';
import { spawn } from 'node:child_process';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function runAudit(base: string, state: string): Promise<{ ms: number; code: number; err: string; report: unknown }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/undersigned.js', 'audit', base, '--json', '--state', state], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  const ms = Math.round(performance.now() - t0);
  let report: unknown = out;
  try {
    const r = JSON.parse(out) as Record<string, unknown>;
    report = Object.fromEntries(Object.entries(r).filter(([k]) => ['ok', 'checkpoint', 'entries', 'tilesChecked', 'namesCheckedIn', 'letters', 'problems'].includes(k)));
  } catch {
    /* keep text */
  }
  return { ms, code, err, report };
}

export async function benchAudit(n = 1_000_000): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-audit-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = await buildApp(loadConfig({ UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_RATE_LIMIT: 'off', UNDERSIGNED_SCREENING: 'off', UNDERSIGNED_BASE_URL: base }, { dataDir: dir }));
  try {
    const deps = app.deps;
    const letter = await createLetter(deps, { slug: 'audit-big', addressee: { name: 'Bench' }, defaultLang: 'en', versions: [{ lang: 'en', title: 'Bench', body: 'Bench letter.' }] }, { publish: true });
    let t0 = performance.now();
    // One confirmation a second, ending an hour ago: a letter that gathered its signatures over days. (All rows with
    // one timestamp made every refresh of the server's public list re-read every row, which no real letter does.)
    const end = Date.now() - 3_600_000;
    for (let start = 0; start < n; start += 2000) {
      await app.store.transaction(async (tx) => {
        for (let i = start; i < Math.min(n, start + 2000); i++) {
          const at = new Date(end - (n - i) * 1000).toISOString();
          const sig: Signature = {
            id: nodeSecrets.newId(), letterId: letter.id, email: `s${i}@bench.example`, emailKey: `s${i}@bench.example`, name: `Signer ${i}`,
            visibility: i % 10 === 0 ? 'hidden' : 'public', lang: 'en', consentUpdates: false, status: 'confirmed', textVersion: 1, mailsSent: 0, imported: false,
            createdAt: at, updatedAt: at, confirmedAt: at,
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
    // First against the server as it starts (its public list not sorted yet: the audit's first list page waits for
    // it), then again at once (list sorted, as on a server that has been serving its letter page).
    const cold = await runAudit(base, join(dir, 'audit-state.json'));
    const warm = await runAudit(base, join(dir, 'audit-state.json'));
    return {
      entries: n, queueMs: Math.round(queueMs), sequenceMs: Math.round(sequenceMs),
      auditOverHttpMs: cold.ms, auditExit: cold.code, auditOk: cold.code === 0,
      auditAgainMs: warm.ms, auditAgainOk: warm.code === 0,
      auditStderrTail: cold.err.slice(-300), report: cold.report, reportAgain: warm.report,
    };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchAudit(Number(process.argv[2] ?? 1_000_000)).then((r) => console.log(JSON.stringify(r, null, 2)));
}
