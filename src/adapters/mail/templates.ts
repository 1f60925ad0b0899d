/** Mail texts in the recipient's language. Plain text only: nothing in a mail can run or track. */
import type { MailTemplates } from '../../core/ports.ts';
import { translator } from '../i18n/index.ts';

const formats = new Map<string, Intl.DateTimeFormat>();

function when(lang: string, iso: string): string {
  const t = translator(lang);
  // Built once per language: creating an Intl.DateTimeFormat costs more than the rest of a signature.
  let f = formats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
    if (formats.size < 200) formats.set(lang, f);
  }
  return f.format(new Date(iso)) + (t.uiLang === 'fa' ? ' (UTC)' : ' UTC');
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
};
