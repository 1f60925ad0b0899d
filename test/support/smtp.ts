/** A real SMTP peer (smtp-server) on a free loopback port, keeping every message it receives. */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { Mailer } from '../../src/core/ports.ts';
import type { MailMessage } from '../../src/core/model.ts';
import type { SmtpMailer } from '../../src/adapters/mail/smtp.ts';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  text: string;
}

/** Decodes a simple nodemailer message: RFC 2047 subject and a quoted-printable or base64 text part. */
function decode(raw: string): { subject: string; text: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const subj = unfolded.match(/^Subject: (.*)$/im)?.[1] ?? '';
  const subject = subj.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
  const body = rest.join('\n\n');
  const cte = unfolded.match(/^Content-Transfer-Encoding: (.*)$/im)?.[1]?.trim().toLowerCase();
  let text = body;
  if (cte === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (cte === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
    text = Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return { subject, text };
}

export interface SmtpPeerOptions {
  /** Answers RCPT TO for this address with an error (e.g. `{ code: 550, message: 'No such mailbox' }`), or accepts. */
  refuse?: (address: string) => { code: number; message: string } | undefined;
}

export async function startSmtp(opts: SmtpPeerOptions = {}): Promise<{ url: string; port: number; mails: ReceivedMail[]; waitFor(pred: (m: ReceivedMail) => boolean, ms?: number): Promise<ReceivedMail>; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, cb) {
      const r = opts.refuse?.(address.address);
      if (!r) return cb();
      cb(Object.assign(new Error(r.message), { responseCode: r.code }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw, ...decode(raw) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}?tls=off`,
    port,
    mails,
    async waitFor(pred, ms = 10_000) {
      const end = Date.now() + ms;
      for (;;) {
        const m = mails.find(pred);
        if (m) return m;
        if (Date.now() > end) throw new Error(`no matching mail within ${ms} ms (have ${mails.length})`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends through the real SMTP peer and keeps what went out (for the links the test follows). */
export class KeepingMailer implements Mailer {
  readonly batch: number;
  sent: MailMessage[] = [];
  constructor(private readonly inner: SmtpMailer) {
    this.batch = inner.batch;
  }
  async send(m: MailMessage) {
    await this.inner.send(m);
    this.sent.push(m);
  }
  close() {
    return this.inner.close();
  }
  /** The token of the last mail of `template` to `to`. */
  lastToken(to: string, template = 'confirm'): string {
    const m = [...this.sent].reverse().find((x) => x.to === to && x.template === template);
    return /token=([A-Za-z0-9_-]+)/.exec(m?.text ?? '')![1]!;
  }
}

