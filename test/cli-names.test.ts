import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { importCommand } from '../src/adapters/cli/commands/import.ts';
import { namesCommands, namesDedupeCommand, namesPairCommand } from '../src/adapters/cli/commands/names.ts';
import type { CliContext } from '../src/adapters/cli/types.ts';

const SEED = resolve('../shared/fixtures/seed-letter.txt');

function fakeContext(cwd: string, app: object = {}, isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    io: { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY },
    cwd,
    app: async () => app as never,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-names-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('commands are exported with paths, summaries and help', () => {
  assert.deepEqual(namesCommands.map((c) => c.path), [['names', 'pair'], ['names', 'dedupe']]);
  assert.deepEqual(importCommand.path, ['import']);
  for (const c of [...namesCommands, importCommand]) {
    assert.ok(c.summary.length > 0 && c.help.includes('Usage:'));
  }
});

test('--help prints usage and exits 0', async () => {
  for (const c of [namesPairCommand, namesDedupeCommand, importCommand]) {
    const f = fakeContext(process.cwd());
    assert.equal(await c.run(['--help'], f.ctx), 0);
    assert.match(f.out(), /^Usage: undersigned /);
  }
});

test('names pair --json: pairs over distinct people, duplicates and unpaired per list', async () => {
  const dir = tempDir({
    'a.txt': 'محمد رزاقی\nحسن عزیزی\nمحمود سپاهی\nمحمود سپاهي\n\nنادر کشتکار\n',
    'b.txt': 'Hassan Azizi\nMahmoud Sepahi\nMohammad Razzaghi\nShirin Ebadi\n',
  });
  const f = fakeContext(dir);
  assert.equal(await namesPairCommand.run(['a.txt', 'b.txt', '--json'], f.ctx), 0);
  const json = JSON.parse(f.out());
  assert.deepEqual(Object.keys(json).sort(), ['duplicates', 'pairs', 'unpaired']);
  assert.deepEqual(
    json.pairs.map((p: { a: string; b: string }) => `${p.a}|${p.b}`).sort(),
    ['حسن عزیزی|Hassan Azizi', 'محمد رزاقی|Mohammad Razzaghi', 'محمود سپاهی|Mahmoud Sepahi'].sort(),
  );
  for (const p of json.pairs) assert.ok(typeof p.score === 'number' && p.score > 0 && p.score <= 1);
  // the Arabic-keyboard repeat is the same person
  assert.deepEqual(json.duplicates, { a: [['محمود سپاهی', 'محمود سپاهي']], b: [] });
  assert.deepEqual(json.unpaired, { a: ['نادر کشتکار'], b: ['Shirin Ebadi'] });
  assert.equal(f.err(), '');
});

test('names pair without --json prints a readable report', async () => {
  const dir = tempDir({ 'a.txt': 'محمد رزاقی\nزهرا معینی\n', 'b.txt': 'Zahra Moeini\nMohammad Razzaghi\n' });
  const f = fakeContext(dir);
  assert.equal(await namesPairCommand.run(['a.txt', 'b.txt'], f.ctx), 0);
  assert.match(f.out(), /2 pairs/);
  assert.match(f.out(), /محمد رزاقی {2}↔ {2}Mohammad Razzaghi/);
});

test('names dedupe --json: every row in exactly one cluster', async () => {
  const tsv = [
    'name\tname_alt',
    'Mohammad Sharifi\t', // 0
    'Mohammadreza Sharifi\t', // 1
    'محمد شریفی\tMohammad Sharifi', // 2
    'Hamid Karimi\t', // 3
    'Muhammad Sharifi\t', // 4
    'Hamed Karimi\tحامد کریمی', // 5
    'علي كريمي\t', // 6
    'علی کریمی\tAli Karimi', // 7
    '',
  ].join('\n');
  const dir = tempDir({ 'people.tsv': tsv });
  const f = fakeContext(dir);
  assert.equal(await namesDedupeCommand.run(['people.tsv', '--json'], f.ctx), 0);
  const { clusters } = JSON.parse(f.out());
  assert.deepEqual(clusters, [[0, 2, 4], [1], [3], [5], [6, 7]]);
  const all = clusters.flat().sort((x: number, y: number) => x - y);
  assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6, 7]);
});

test('bad input: clear message, exit code 2, no stack trace', async () => {
  const dir = tempDir({
    'empty.txt': ' \n\n',
    'bad.tsv': 'name,name_alt\nAli,\n',
    'ok.txt': 'Ali\n',
    'nul.bin': '\uFFFD',
  });
  writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x41, 0xe9, 0x0a]));
  mkdirSync(join(dir, 'folder'));
  const cases: Array<[typeof namesPairCommand, string[], RegExp]> = [
    [namesPairCommand, ['missing.txt', 'ok.txt', '--json'], /File not found: missing\.txt/],
    [namesPairCommand, ['empty.txt', 'ok.txt'], /empty\.txt is empty/],
    [namesPairCommand, ['ok.txt'], /exactly two files/],
    [namesPairCommand, ['latin1.txt', 'ok.txt'], /not UTF-8/],
    [namesPairCommand, ['folder', 'ok.txt'], /is a directory/],
    [namesPairCommand, ['ok.txt', 'ok.txt', '--bogus'], /Unknown option/],
    [namesDedupeCommand, ['bad.tsv', '--json'], /header "name<TAB>name_alt"/],
    [namesDedupeCommand, ['empty.txt'], /is empty/],
    [importCommand, ['missing.txt', '--dry-run'], /File not found/],
    [importCommand, ['empty.txt', '--dry-run'], /is empty/],
    [importCommand, ['ok.txt', '--dry-run'], /no signatory list/],
  ];
  for (const [cmd, args, message] of cases) {
    const f = fakeContext(dir);
    assert.equal(await cmd.run(args, f.ctx), 2, args.join(' '));
    assert.match(f.err(), message);
    assert.doesNotMatch(f.err(), /\n\s+at /); // no stack trace
    assert.equal(f.out(), '');
  }
});

test('import --dry-run --json on the seed: 48 claimed, 46 distinct, duplicates in both languages', async () => {
  const f = fakeContext(process.cwd());
  assert.equal(await importCommand.run([SEED, '--dry-run', '--json'], f.ctx), 0);
  const a = JSON.parse(f.out());
  assert.deepEqual(a.languages, ['fa', 'en']);
  assert.equal(a.claimedCount, 48);
  assert.deepEqual(a.listed, { fa: 48, en: 48 });
  assert.equal(a.distinct, 46);
  assert.deepEqual(a.duplicates.fa, [['علیرضا نصر اللهی', 'علیرضا نصر اللهی'], ['محمود سپاهی', 'محمود سپاهی']]);
  assert.deepEqual(a.duplicates.en, [['Alireza Nasrollahi', 'Alireza Nasrollahi'], ['Mahmoud Sepahi', 'Mahmoud Sepahi']]);
  assert.equal(a.pairs.length, 46);
  assert.ok(a.pairs.some((p: string[]) => p[0] === 'محمد رزاقی' && p[1] === 'Mohammad Razzaghi'));
  assert.deepEqual(a.unpaired, { fa: [], en: [] });
  assert.ok(a.warnings.some((w: string) => /claims 48/.test(w)));
  assert.equal(a.people, undefined); // internal field not printed
});

test('import --dry-run (human) prints a report; relative paths resolve against ctx.cwd', async () => {
  const f = fakeContext(resolve('..'));
  assert.equal(await importCommand.run(['shared/fixtures/seed-letter.txt', '--dry-run'], f.ctx), 0);
  assert.match(f.out(), /distinct: +46/);
  assert.match(f.out(), /claimed count: +48/);
});

test('import --dry-run and names commands never open the application (no database)', async () => {
  let opened = 0;
  const f = fakeContext(process.cwd());
  f.ctx.app = async () => {
    opened++;
    return {} as never;
  };
  assert.equal(await importCommand.run([SEED, '--dry-run', '--json'], f.ctx), 0);
  const dir = tempDir({ 'a.txt': 'Ali\n', 'b.txt': 'علی\n', 'p.tsv': 'name\tname_alt\nAli\tعلی\n' });
  f.ctx.cwd = dir;
  assert.equal(await namesPairCommand.run(['a.txt', 'b.txt', '--json'], f.ctx), 0);
  assert.equal(await namesDedupeCommand.run(['p.tsv', '--json'], f.ctx), 0);
  assert.equal(opened, 0);
});

test('progress goes to stderr only on a terminal and only for large inputs', async () => {
  const many = Array.from({ length: 1500 }, (_, i) => `Person${i} Family${i % 97}`);
  const dir = tempDir({ 'a.txt': many.join('\n'), 'b.txt': many.join('\n') });
  const tty = fakeContext(dir, {}, true);
  assert.equal(await namesPairCommand.run(['a.txt', 'b.txt', '--json'], tty.ctx), 0);
  assert.match(tty.err(), /%/);
  assert.equal(JSON.parse(tty.out()).pairs.length, 1500);
  const pipe = fakeContext(dir, {}, false);
  assert.equal(await namesPairCommand.run(['a.txt', 'b.txt', '--json'], pipe.ctx), 0);
  assert.equal(pipe.err(), '');
});

test('in a real subprocess: run() writes JSON to stdout and the exit code is returned', async () => {
  const dir = tempDir({ 'a.txt': 'محمد رزاقی\n', 'b.txt': 'Mohammad Razzaghi\n' });
  const script = `
    import { namesPairCommand } from ${JSON.stringify(resolve('src/adapters/cli/commands/names.ts'))};
    const io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), isTTY: false };
    process.exitCode = await namesPairCommand.run(process.argv.slice(1), { io, cwd: process.cwd(), app: async () => ({}) });
  `;
  const run = promisify(execFile);
  // run from the repository root (where tsx is installed); files are given by absolute path
  const node = (...args: string[]) => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...args]);
  const { stdout } = await node(join(dir, 'a.txt'), join(dir, 'b.txt'), '--json');
  assert.equal(JSON.parse(stdout).pairs[0].b, 'Mohammad Razzaghi');
  await assert.rejects(
    node(join(dir, 'missing.txt'), join(dir, 'b.txt')),
    (e: { code: number; stderr: string }) => e.code === 2 && /File not found/.test(e.stderr) && !/\n\s+at /.test(e.stderr),
  );
});
