/** Sends through an SMTP server with a pooled nodemailer transport (one connection per mail is ~100× slower). */
import { randomBytes } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { MailRejected, type Mailer } from '../../core/ports.ts';
import type { MailMessage } from '../../core/model.ts';

export interface SmtpOptions {
  /** Connections kept open; the outbox sends over all of them at once. */
  pool?: number;
  /** nodemailer's own DKIM signing. */
  dkim?: { domain: string; selector: string; privateKey: string } | undefined;
}

/** Mails each connection is given per claim: a claim's lease (60 s) outlasts them even at a few seconds a mail. */
const MAILS_PER_CONNECTION = 4;

export class SmtpMailer implements Mailer {
  readonly batch: number;
  private readonly transport: Transporter;
  /** The domain of our Message-IDs: the From address's. */
  private readonly idDomain: string;

  constructor(url: string, private readonly from: string, opts: SmtpOptions = {}) {
    const u = new URL(url);
    const pool = opts.pool ?? 5;
    this.batch = pool * MAILS_PER_CONNECTION;
    this.idDomain = /@([^>\s]+)>?\s*$/.exec(from)?.[1]?.toLowerCase() ?? 'localhost';
    this.transport = nodemailer.createTransport({
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 587)),
      secure: u.protocol === 'smtps:',
      auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
      pool: true,
      maxConnections: pool,
      // Local and test relays often have no certificate; `?tls=strict` turns verification on.
      tls: { rejectUnauthorized: u.searchParams.get('tls') === 'strict' },
      ignoreTLS: u.searchParams.get('tls') === 'off',
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
      ...(opts.dkim ? { dkim: { domainName: opts.dkim.domain, keySelector: opts.dkim.selector, privateKey: opts.dkim.privateKey } } : {}),
    });
  }

  async send(m: MailMessage): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        attachments: m.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.contentBase64, encoding: 'base64' })),
        messageId: `<${randomBytes(12).toString('hex')}@${this.idDomain}>`,
        headers: { ...m.headers, 'Content-Language': m.lang, 'X-Undersigned-Template': m.template, 'Auto-Submitted': 'auto-generated' },
      });
    } catch (e) {
      throw recipientRefused(e) ?? e;
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * A 5xx answer to RCPT TO is the server refusing this recipient for good (no such mailbox, policy): MailRejected, not
 * retried. Every other failure — a 4xx, a lost connection, a 5xx to MAIL FROM or DATA, which would refuse every
 * recipient alike and so says more about us than about them — stays temporary and is retried with backoff.
 */
function recipientRefused(e: unknown): MailRejected | undefined {
  if (!(e instanceof Error)) return undefined;
  const err = e as Error & { command?: string; responseCode?: number };
  const code = err.responseCode ?? 0;
  if (err.command === 'RCPT TO' && code >= 500 && code < 600) return new MailRejected(err.message, code);
  return undefined;
}
