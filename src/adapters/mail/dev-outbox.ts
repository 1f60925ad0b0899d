/**
 * The development default: mails are written as JSON files in <data>/outbox instead of being sent, so a
 * developer can follow confirmation links (`undersigned mail outbox`, or /dev/outbox while serving).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Mailer } from '../../core/ports.ts';
import type { MailMessage } from '../../core/model.ts';

export interface CapturedMail extends MailMessage {
  file: string;
  capturedAt: string;
}

export class DevOutboxMailer implements Mailer {
  private n = 0;
  constructor(readonly dir: string, private readonly now: () => Date = () => new Date()) {
    mkdirSync(dir, { recursive: true });
  }

  async send(m: MailMessage): Promise<void> {
    const at = this.now().toISOString();
    const file = `${at.replace(/[:.]/g, '-')}-${process.pid}-${++this.n}.json`;
    const tmp = join(this.dir, `.${file}.tmp`);
    // Write then rename: a reader never sees half a mail.
    writeFileSync(tmp, JSON.stringify({ ...m, capturedAt: at }, null, 2));
    renameSync(tmp, join(this.dir, file));
  }

  async close(): Promise<void> {}
}

/** Newest first. */
export function readDevOutbox(dir: string, limit = 50): CapturedMail[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
  } catch {
    return [];
  }
  return files
    .sort()
    .reverse()
    .slice(0, limit)
    .map((f) => ({ ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as MailMessage & { capturedAt: string }), file: f }));
}
