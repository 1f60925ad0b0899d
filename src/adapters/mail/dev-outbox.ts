/**
 * The development default: mails are captured in <data>/outbox instead of being sent, so a developer can follow
 * confirmation links (`undersigned mail outbox`, or /dev/outbox while serving).
 *
 * Each process appends to its own file, one mail per line (JSON Lines). The mails the worker sends at one moment are
 * written by one append, on libuv's thread pool: a file per mail (write, then rename) cost the server about a sixth
 * of its CPU while signing under load. A mail counts as sent once its line is written; a process killed in the middle
 * of an append leaves at most a partial last line, which readers skip (that mail's job was not completed, so the
 * worker sends it again). Files of the older one-file-per-mail form are still read.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mailer } from '../../core/ports.ts';
import type { MailMessage } from '../../core/model.ts';

export interface CapturedMail extends MailMessage {
  /** The file (and line, for JSON Lines files) the mail was read from. */
  file: string;
  capturedAt: string;
}

export class DevOutboxMailer implements Mailer {
  /** Appends are cheap: a surge's mails go out in large batches (each claim and completion batch is a commit). */
  readonly batch = 100;
  private readonly file: string;
  private handle: Promise<FileHandle> | undefined;
  private queue: { line: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;

  constructor(readonly dir: string, private readonly now: () => Date = () => new Date()) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.jsonl`);
  }

  send(m: MailMessage): Promise<void> {
    const line = JSON.stringify({ ...m, capturedAt: this.now().toISOString() }) + '\n';
    return new Promise((resolve, reject) => {
      // The first mail of a moment starts one write after the current task, so that the mails sent with it join it.
      if (this.queue.push({ line, resolve, reject }) === 1 && !this.writing) queueMicrotask(() => void (this.writing = this.drain()));
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0);
        try {
          this.handle ??= open(this.file, 'a');
          await (await this.handle).appendFile(batch.map((b) => b.line).join(''));
          for (const b of batch) b.resolve();
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  async close(): Promise<void> {
    while (this.writing || this.queue.length) await (this.writing ?? new Promise((r) => setImmediate(r)));
    const h = this.handle;
    this.handle = undefined;
    if (h) await (await h).close().catch(() => undefined);
  }
}

/** Newest first (by capture time; within one file, later lines are newer). */
export function readDevOutbox(dir: string, limit = 50): CapturedMail[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => (f.endsWith('.json') || f.endsWith('.jsonl')) && !f.startsWith('.'));
  } catch {
    return [];
  }
  const all: { mail: CapturedMail; file: string; line: number }[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(join(dir, f), 'utf8');
    } catch {
      continue;
    }
    if (f.endsWith('.json')) {
      try {
        all.push({ mail: { ...(JSON.parse(text) as MailMessage & { capturedAt: string }), file: f }, file: f, line: 0 });
      } catch {
        // not a mail
      }
      continue;
    }
    const lines = text.split('\n');
    // The last piece has no newline after it: empty, or a line still being written (or cut by a crash).
    for (let i = 0; i < lines.length - 1; i++) {
      try {
        all.push({ mail: { ...(JSON.parse(lines[i]!) as MailMessage & { capturedAt: string }), file: `${f}:${i + 1}` }, file: f, line: i });
      } catch {
        // a damaged line: skipped
      }
    }
  }
  all.sort((a, b) =>
    a.mail.capturedAt !== b.mail.capturedAt ? (a.mail.capturedAt < b.mail.capturedAt ? 1 : -1)
      : a.file !== b.file ? (a.file < b.file ? 1 : -1)
        : b.line - a.line);
  return all.slice(0, limit).map((x) => x.mail);
}
