/**
 * The program's entry (bin/undersigned.js runs it), above the composition root: finds the sub-command, builds the
 * application lazily through main.ts (commands that need no storage never open it), prints clear errors (no stack
 * traces) and exits with the command's code.
 */
import cluster from 'node:cluster';
import { ConfigError, loadConfig, SETTINGS } from './config.ts';
import { CliError, type AppOptions, type CliApp, type Command, type CliContext } from './adapters/cli/types.ts';
import { serveCommand } from './adapters/cli/commands/serve.ts';
import { letterCreate, letterDeliver, letterList, letterTargets } from './adapters/cli/commands/letter.ts';
import { mailOutbox } from './adapters/cli/commands/mail.ts';
import { namesCommands } from './adapters/cli/commands/names.ts';
import { importCommand } from './adapters/cli/commands/import.ts';
import { useTransliterator } from './core/names/index.ts';
import { anyAsciiTransliterator } from './adapters/translit/any-ascii.ts';

// the names commands (pair, dedupe, import) match names in other scripts through their Latin transliteration
useTransliterator(anyAsciiTransliterator);
import { auditCommand } from './adapters/cli/commands/audit.ts';
import { eraseCommand, letterRetentionCommand, signatureRemoveCommand } from './adapters/cli/commands/erase.ts';
import { deskCommands } from './adapters/cli/commands/desk.ts';
import { importSignaturesCommand } from './adapters/cli/commands/import-signatures.ts';
import { DomainError } from './core/errors.ts';
import { isUndersignedWorker, workerStderr } from './adapters/cluster/worker.ts';

/** The settings' names in `--help` line up after the longest. */
const SETTING_WIDTH = Math.max(...SETTINGS.map(([k]) => k.length));

export const COMMANDS: Command[] = [serveCommand, letterCreate, letterList, letterTargets, letterDeliver, mailOutbox, importCommand, ...namesCommands, auditCommand, eraseCommand, signatureRemoveCommand, letterRetentionCommand, ...deskCommands, importSignaturesCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length));
  return `Undersigned: open letters with verifiable signatures.

Usage: undersigned <command> [options]   (undersigned <command> --help for details)

Commands:
${COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`).join('\n')}

Settings (environment):
${SETTINGS.map(([k, d, what]) => `  ${k.padEnd(SETTING_WIDTH)} ${what} [${d}]`).join('\n')}
`;
}

function findCommand(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  let best: { cmd: Command; rest: string[] } | undefined;
  for (const cmd of COMMANDS) {
    if (cmd.path.every((w, i) => argv[i] === w) && (!best || cmd.path.length > best.cmd.path.length)) best = { cmd, rest: argv.slice(cmd.path.length) };
  }
  return best;
}

function dataDirFlag(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--data-dir') return args[i + 1];
    if (a.startsWith('--data-dir=')) return a.slice('--data-dir='.length);
  }
  return undefined;
}

export async function runCli(argv: string[], io: CliContext['io'], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<number> {
  if (!argv.length || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(usage());
    return argv.length ? 0 : 2;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`undersigned: unknown command "${argv.join(' ')}"\n\n${usage()}`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    io.out(found.cmd.help + '\n');
    return 0;
  }
  let app: CliApp | undefined;
  const ctx: CliContext = {
    io,
    cwd,
    async app(opts: AppOptions = {}) {
      // Loaded here, not at the top: the composition root pulls in every adapter (about 2.5 s through tsx), which
      // commands that need no application (audit, names, import --dry-run) should not pay for.
      const { buildApp } = await import('./main.ts');
      app ??= await buildApp(ctx.config!(opts), { worker: opts.worker });
      return app;
    },
    config(opts: AppOptions = {}) {
      return loadConfig(env, { port: opts.port, dataDir: dataDirFlag(found.rest), processes: opts.processes }, cwd);
    },
    async clusterPrimary(config) {
      const { prepareClusterPrimary } = await import('./main.ts');
      return prepareClusterPrimary(config);
    },
  };
  try {
    return await found.cmd.run(found.rest, ctx);
  } catch (e) {
    if (e instanceof CliError || e instanceof ConfigError) {
      io.err(`undersigned: ${e.message}\n`);
      return e instanceof CliError ? e.exitCode : 2;
    }
    if (e instanceof DomainError) {
      io.err(`undersigned: ${e.code}: ${e.message}\n`);
      return 1;
    }
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`undersigned: ${(e as Error).message}\n(see: undersigned ${found.cmd.path.join(' ')} --help)\n`);
      return 2;
    }
    if (code === 'EADDRINUSE') {
      io.err(`undersigned: the port is already in use (${(e as Error).message}). Set UNDERSIGNED_PORT or --port.\n`);
      return 1;
    }
    io.err(`undersigned: unexpected error: ${(e as Error)?.message ?? String(e)}\n`);
    if (env.UNDERSIGNED_DEBUG) io.err(String((e as Error)?.stack) + '\n');
    return 1;
  } finally {
    if (app && found.cmd !== undefined) await app.close().catch(() => {});
  }
}

/** Entry point used by bin/undersigned.js. */
export async function main(): Promise<void> {
  const worker = cluster.isWorker ? cluster.worker : undefined;
  // A worker of `serve --processes N` tells its primary what it would print (cluster/primary.ts prints it once, not
  // once per worker: a bad start fails in every worker alike). A worker of another cluster primary writes its own stderr.
  const ours = isUndersignedWorker();
  const err = ours ? (s: string) => void (process.connected ? process.send!(workerStderr(s)) : process.stderr.write(s)) : (s: string) => void process.stderr.write(s);
  const io = { out: (s: string) => void process.stdout.write(s), err, isTTY: Boolean(process.stderr.isTTY) };
  process.exitCode = await runCli(process.argv.slice(2), io);
  // The channel to the primary keeps a worker's event loop alive: close it (the primary then sees the exit code).
  if (worker?.isConnected()) worker.disconnect();
}
