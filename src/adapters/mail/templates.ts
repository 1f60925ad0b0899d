/** Mail texts in the recipient's language. Plain text only: nothing in a mail can run or track. */
import type { MailTemplates } from '../../core/ports.ts';
import { translator } from '../i18n/index.ts';

/** Formatted times per language and minute: the format shows minutes, and the signings of one minute share one. */
const formatted = new Map<string, string>();

function when(lang: string, iso: string): string {
  // An ISO time as toISOString writes it (the form we store): its first 16 characters are its minute in UTC.
  const key = iso.length === 24 && iso[23] === 'Z' ? `${lang}\u0000${iso.slice(0, 16)}` : undefined;
  const hit = key && formatted.get(key);
  if (hit) return hit;
  const t = translator(lang);
  // The interface language's calendar and digits (Solar Hijri and Persian digits in fa, Arabic-Indic in ar).
  const s = t.dateTime(iso) + (t.dir === 'rtl' ? ' (UTC)' : ' UTC');
  if (key) {
    // Bounded: a running server asks for the current minute (plus the token lifetime) in a few languages.
    if (formatted.size >= 1000) formatted.clear();
    formatted.set(key, s);
  }
  return s;
}

/** A name or title inside a sentence of the other direction: first-strong isolates keep its words in order. */
const isolate = (s: string): string => '\u2068' + s + '\u2069';

/** The paragraph of a signer's private "manage my signature" link (empty without a link). */
const manageParagraph = (lang: string, link: string | undefined): string => (link ? translator(lang)('mail.manage', { link }) : '');

export const mailTemplates: MailTemplates = {
  confirmSignature({ lang, letterTitle, name, link, expiresAt, withdrawLink, manageLink }) {
    const t = translator(lang);
    return {
      subject: t('mail.confirm.subject', { title: letterTitle }),
      text: t('mail.confirm.text', { name: isolate(name), title: isolate(letterTitle), link, expires: when(lang, expiresAt) }) + (withdrawLink ? t('mail.confirm.withdraw', { link: withdrawLink }) : '') + manageParagraph(lang, manageLink),
      lang: t.uiLang,
      template: 'confirm',
    };
  },
  alreadySigned({ lang, letterTitle, name, letterUrl, receiptLink, manageLink }) {
    const t = translator(lang);
    return {
      subject: t('mail.already.subject', { title: letterTitle }),
      text: t('mail.already.text', { name: isolate(name), title: isolate(letterTitle), url: letterUrl }) + (receiptLink ? t('mail.already.receipt', { link: receiptLink }) : '') + manageParagraph(lang, manageLink),
      lang: t.uiLang,
      template: 'already-signed',
    };
  },
  manageParagraph({ lang, link }) {
    return manageParagraph(lang, link);
  },
  organiserLogin({ lang, link, expiresAt }) {
    const t = translator(lang);
    return { subject: t('mail.login.subject'), text: t('mail.login.text', { link, expires: when(lang, expiresAt) }), lang: t.uiLang, template: 'login' };
  },
  signerUpdate({ lang, letterTitle, subject, body, letterUrl, unsubscribeUrl }) {
    const t = translator(lang);
    return {
      subject,
      text: `${body}\n\n-- \n${t('mail.update.footer', { title: isolate(letterTitle), url: letterUrl, unsubscribe: unsubscribeUrl })}`,
      lang: t.uiLang,
      template: 'update',
      // RFC 8058: a mail client may offer "unsubscribe" and POST List-Unsubscribe=One-Click to this URL for the person.
      headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    };
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
