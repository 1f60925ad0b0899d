/** The dependency rules of ARCHITECTURE.md, checked on every import of every source file (tests excepted). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.case.ts') ? [p] : [];
  });
}

const SOURCES = files('src');
const layer = (p: string) => relative('src', p).split('/')[0]!;

interface Import {
  /** The specifier as written. */
  spec: string;
  /** The imported file, relative to src/ (relative specifiers only). */
  target?: string;
}

/** Every import of a file: static, `import type`, re-exports and dynamic `import('…')`. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...[...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!),
    ...[...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!),
    ...[...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
  ];
  return specs.map((spec) => (spec.startsWith('.') ? { spec, target: relative('src', resolve(dirname(file), spec)) } : { spec }));
}

const GRAPH = new Map(SOURCES.map((f) => [relative('src', f), importsOf(f)]));

test('core imports only core; use-cases import only core; adapters never import the composition root', () => {
  const problems: string[] = [];
  for (const file of SOURCES) {
    const from = layer(file);
    for (const { spec, target } of GRAPH.get(relative('src', file))!) {
      // The core is pure: no node:* module and no package (no SQL builder, no HTTP, no crypto library).
      if (from === 'core' && !target) problems.push(`${file}: core imports package ${spec}`);
      if (!target) continue;
      const to = target.split('/')[0]!;
      if (from === 'core' && to !== 'core') problems.push(`${file}: core imports ${target}`);
      if (from === 'use-cases' && !['core', 'use-cases'].includes(to)) problems.push(`${file}: use-case imports ${target}`);
      // Type imports included: adapters see Services (use-cases/services.ts), never the root.
      if (from === 'adapters' && (to === 'main.ts' || to === 'cli.ts')) problems.push(`${file}: adapter imports ${target}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('no import cycle anywhere in src/ (type imports included)', () => {
  // Tarjan's strongly connected components: any component of more than one file (or a file importing itself) is a cycle.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const cycles: string[][] = [];
  const edges = (n: string) => (GRAPH.get(n) ?? []).flatMap((i) => (i.target && GRAPH.has(i.target) ? [i.target] : []));
  const visit = (n: string) => {
    idx.set(n, index);
    low.set(n, index++);
    stack.push(n);
    on.add(n);
    for (const m of edges(n)) {
      if (!idx.has(m)) {
        visit(m);
        low.set(n, Math.min(low.get(n)!, low.get(m)!));
      } else if (on.has(m)) low.set(n, Math.min(low.get(n)!, idx.get(m)!));
    }
    if (low.get(n) === idx.get(n)) {
      const scc: string[] = [];
      let m: string;
      do {
        m = stack.pop()!;
        on.delete(m);
        scc.push(m);
      } while (m !== n);
      if (scc.length > 1 || edges(n).includes(n)) cycles.push(scc.sort());
    }
  };
  for (const n of GRAPH.keys()) if (!idx.has(n)) visit(n);
  assert.deepEqual(cycles, []);
});

test('every relative import names a file that exists', () => {
  const missing = [...GRAPH].flatMap(([file, imports]) => imports.filter((i) => i.target && !existsSync(join('src', i.target))).map((i) => `${file} → ${i.spec}`));
  assert.deepEqual(missing, []);
});

/**
 * Adapters do not choose or build each other (main.ts does); the few that use another adapter, and why:
 */
const ADAPTER_TO_ADAPTER: [from: string, to: string][] = [
  ['adapters/http/', 'adapters/i18n/'], // pages are drawn in the visitor's language
  ['adapters/mail/', 'adapters/i18n/'], // mails are written in the signer's language
  ['adapters/cli/commands/audit.ts', 'adapters/crypto/'], // the audit checks signatures and hashes itself
  ['adapters/cli/audit/', 'adapters/crypto/'],
  ['adapters/cli/', 'adapters/cluster/'], // `serve --processes N` runs the primary
  ['adapters/http/rate-limit/backend.ts', 'adapters/storage/sql/rate-limits.ts'], // the PostgreSQL counters' statements
];

test('adapters import other adapters only through the named list', () => {
  const problems: string[] = [];
  for (const [file, imports] of GRAPH) {
    if (!file.startsWith('adapters/')) continue;
    const own = file.split('/').slice(0, 2).join('/') + '/';
    for (const { target } of imports) {
      if (!target?.startsWith('adapters/') || target.startsWith(own)) continue;
      // node-secrets.ts sits at the adapters' root and is used by main.ts only.
      if (!ADAPTER_TO_ADAPTER.some(([from, to]) => file.startsWith(from) && target.startsWith(to))) problems.push(`${file} → ${target}`);
    }
  }
  assert.deepEqual(problems, []);
});

/** Operations (the files at the top of use-cases/) compose only through shared steps; the one named exception. */
const OPERATION_TO_OPERATION: [from: string, to: string][] = [['use-cases/import-letter.ts', 'use-cases/create-letter.ts']];
const SHARED = ['use-cases/deps.ts', 'use-cases/services.ts', 'use-cases/reads/', 'use-cases/steps/', 'use-cases/workers/'];

test('use-case operations never import another operation', () => {
  const isOperation = (f: string) => f.startsWith('use-cases/') && f.split('/').length === 2 && !SHARED.some((s) => f === s || f.startsWith(s));
  const problems: string[] = [];
  for (const [file, imports] of GRAPH) {
    if (!file.startsWith('use-cases/')) continue;
    for (const { target } of imports) {
      if (!target || !isOperation(target) || target === file) continue;
      if (!OPERATION_TO_OPERATION.some(([a, b]) => a === file && b === target)) problems.push(`${file} → ${target}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('markup is escaped by construction: SafeHtml is made only in views/, trusted() only by markdown and the list', () => {
  const problems: string[] = [];
  for (const file of SOURCES) {
    const rel = relative('src', file);
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    if (/new SafeHtml\b/.test(text) && rel !== 'adapters/http/views/html.ts') problems.push(`${rel}: new SafeHtml`);
    if (/\btrusted\(/.test(text) && !['adapters/http/views/html.ts', 'adapters/http/views/markdown.ts', 'adapters/http/views/letter.ts'].includes(rel)) problems.push(`${rel}: trusted(`);
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
