#!/usr/bin/env node
// Runs the whole suite with node's test runner. Node 20 has no glob support in `--test`, so the
// test files are found here; extra arguments narrow the run (`npm test -- test/http` runs that folder).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'test'];
const files = [];
function walk(path) {
  const st = statSync(path);
  if (st.isFile()) { if (path.endsWith('.test.ts')) files.push(path); return; }
  for (const name of readdirSync(path).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    walk(join(path, name));
  }
}
for (const r of roots) walk(r);
if (files.length === 0) { console.error('no test files found under ' + roots.join(', ')); process.exit(1); }
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', ...(process.env.TEST_REPORTER ? ['--test-reporter', process.env.TEST_REPORTER] : []), ...files.map((f) => relative(process.cwd(), f))];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
