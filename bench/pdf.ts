/**
 * The letter's PDF with many signatories (figures only): a letter with N confirmed signatures (default 10,000,
 * target under 15 s) drawn by Debian chromium through the app, as GET /fa/letters/SLUG.pdf asks for it: the first
 * drawing (the browser starts), then the English one (browser warm), then a cached answer. Run alone:
 * `node --import tsx bench/pdf.ts [N]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from '../src/main.ts';
import { loadConfig } from '../src/config.ts';
import type { SqlStore } from '../src/adapters/storage/sql/store.ts';
import { createBenchLetter, loadSignatures } from './load.ts';

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function pages(pdf: Buffer, dir: string): number | undefined {
  try {
    const file = join(dir, 'bench.pdf');
    writeFileSync(file, pdf);
    return Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
  } catch {
    return undefined;
  }
}

export async function benchPdf(n = 10_000): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-pdf-'));
  const app = await buildApp(loadConfig({ UNDERSIGNED_LOG_LEVEL: 'silent', UNDERSIGNED_BASE_URL: 'http://bench.local', UNDERSIGNED_RATE_LIMIT: 'off' }, { dataDir: dir }));
  try {
    const store = app.store as unknown as SqlStore;
    await createBenchLetter(store, 'bench-pdf');
    const letter = (await app.store.letters.bySlug('bench-pdf'))!;
    await loadSignatures(store, { letterId: letter.id, count: n });
    const http = await app.http();
    const get = async (url: string) => {
      const t0 = performance.now();
      const r = await http.inject(url);
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 200)}`);
      return { ms: performance.now() - t0, bytes: r.rawPayload };
    };
    const fa = await get('/fa/letters/bench-pdf.pdf');
    const en = await get('/en/letters/bench-pdf.pdf');
    const cached = await get('/fa/letters/bench-pdf.pdf');
    const publicCount = (await app.store.signatures.stats(letter.id)).publicCount;
    return {
      signatures: n,
      listed: publicCount,
      faFirstSeconds: round(fa.ms / 1000),
      enWarmSeconds: round(en.ms / 1000),
      cachedMs: round(cached.ms),
      faPages: pages(fa.bytes, dir),
      faMiB: round(fa.bytes.length / 2 ** 20),
      targetSeconds: 15,
      note: 'first: the browser starts and the list is sorted; warm: the browser and the list are ready',
    };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(JSON.stringify(await benchPdf(Number(process.argv[2] ?? 10_000)), null, 2) + '\n');
}
