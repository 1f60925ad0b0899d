/** Mail texts in the recipient's language. Plain text only: nothing in a mail can run or track. */
import type { MailTemplates } from '../../core/ports.ts';
import { translator } from '../i18n/index.ts';

const formats = new Map<string, Intl.DateTimeFormat>();
/** Formatted times per language and minute: the format shows minutes, and the signings of one minute share one. */
const formatted = new Map<string, string>();

function when(lang: string, iso: string): string {
  // An ISO time as toISOString writes it (the form we store): its first 16 characters are its minute in UTC.
  const key = iso.length === 24 && iso[23] === 'Z' ? `${lang}\u0000${iso.slice(0, 16)}` : undefined;
  const hit = key && formatted.get(key);
  if (hit) return hit;
  const t = translator(lang);
  // Built once per language: creating an Intl.DateTimeFormat costs more than the rest of a signature.
  let f = formats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
    if (formats.size < 200) formats.set(lang, f);
  }
  const s = f.format(new Date(iso)) + (t.uiLang === 'fa' ? ' (UTC)' : ' UTC');
  if (key) {
    // Bounded: a running server asks for the current minute (plus the token lifetime) in a few languages.
    if (formatted.size >= 1000) formatted.clear();
    formatted.set(key, s);
  }
  return s;
}

export const mailTemplates: MailTemplates = {
  confirmSignature({ lang, letterTitle, name, link, expiresAt, withdrawLink }) {
    const t = translator(lang);
    return {
      subject: t('mail.confirm.subject', { title: letterTitle }),
      text: t('mail.confirm.text', { name, title: letterTitle, link, expires: when(lang, expiresAt) }) + (withdrawLink ? t('mail.confirm.withdraw', { link: withdrawLink }) : ''),
      lang,
      template: 'confirm',
    };
  },
  alreadySigned({ lang, letterTitle, name, letterUrl }) {
    const t = translator(lang);
    return {
      subject: t('mail.already.subject', { title: letterTitle }),
      text: t('mail.already.text', { name, title: letterTitle, url: letterUrl }),
      lang,
      template: 'already-signed',
    };
  },
  organiserLogin({ lang, link, expiresAt }) {
    const t = translator(lang);
    return { subject: t('mail.login.subject'), text: t('mail.login.text', { link, expires: when(lang, expiresAt) }), lang, template: 'login' };
  },
  deliverLetter({ lang, letterTitle, targetName, count, letterUrl, treeSize, pdfSha256 }) {
    const t = translator(lang);
    return {
      subject: t('mail.deliver.subject', { title: letterTitle }),
      text: t('mail.deliver.text', { name: targetName, title: letterTitle, count, url: letterUrl, size: treeSize, sha: pdfSha256 }),
      lang,
      template: 'delivery',
    };
  },
};
