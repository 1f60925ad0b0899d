/** The one dependency rule of ARCHITECTURE.md, checked on every import of every source file (tests excepted). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.case.ts') ? [p] : [];
  });
}

const layer = (p: string) => relative('src', p).split('/')[0]!;

test('core imports only core; use-cases import only core; only main.ts wires adapters', () => {
  const problems: string[] = [];
  for (const file of files('src')) {
    const text = readFileSync(file, 'utf8');
    const from = layer(file);
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
      const spec = m[1]!;
      // The core is pure: no node:* module and no package (no SQL builder, no HTTP, no crypto library).
      if (from === 'core' && !spec.startsWith('.')) problems.push(`${file}: core imports package ${spec}`);
      if (!spec.startsWith('.')) continue;
      const target = relative('src', resolve(dirname(file), spec));
      const to = target.split('/')[0]!;
      if (from === 'core' && to !== 'core') problems.push(`${file}: core imports ${target}`);
      if (from === 'use-cases' && !['core', 'use-cases'].includes(to)) problems.push(`${file}: use-case imports ${target}`);
      if (from === 'adapters' && to === 'main.ts' && !/^import type /.test(m[0]!.trim()) && !file.includes('adapters/cli/')) problems.push(`${file}: adapter imports the composition root`);
    }
  }
  assert.deepEqual(problems, []);
});

test('core uses no clock, randomness or I/O globals', () => {
  const problems: string[] = [];
  for (const file of files('src/core')) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const bad of ['Date.now(', 'new Date()', 'Math.random(', 'process.', 'fetch(', 'setTimeout(', 'crypto.getRandomValues']) {
      const name = bad.replace(/\($/, '');
      // A local helper of the same name (verify-log has its own `fetch` of bundles through the reader) is fine.
      if (text.includes(bad) && !new RegExp(`(const|let|function)\\s+${name.replace('.', '\\.')}\\b`).test(text)) problems.push(`${file}: ${bad}`);
    }
  }
  assert.deepEqual(problems, []);
});
