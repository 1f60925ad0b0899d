/**
 * The owners' page of a letter's updates, reply and delivery (/:lang/organise/letters/:slug/updates): the targets
 * with their last delivery and the deliver button, the update form (a subject and a text per language of the
 * letter; a ready milestone draft once the goal is reached), the updates sent, and the reply form (date, text per
 * language, an optional PDF) with the replies recorded. Every form carries its CSRF token and a nonce: a double
 * click sends one update, records one reply.
 */
import type { FieldError } from '../../../../core/errors.ts';
import { directionOf } from '../../../../core/text.ts';
import { UPDATE_LIMITS } from '../../../../core/updates/update.ts';
import type { UpdatesDesk } from '../../../../use-cases/reads/updates-desk.ts';
import type { T } from '../../../i18n/index.ts';
import { csrfField, fieldError, input, type Values } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { languageLabel, layout } from '../layout.ts';

export interface UpdatesPage {
  me: string;
  csrf: string;
  /** A fresh nonce per drawn page: the key of the update or reply its forms send. */
  nonce: string;
  desk: UpdatesDesk;
  /** What the update form holds: what was posted, or the milestone draft. */
  updateValues?: Values | undefined;
  /** What the reply form holds after a refused post. */
  replyValues?: Values | undefined;
  /** What a target's bounce form held after a refused post (its `delivery` says which). */
  bounceValues?: Values | undefined;
  errors?: FieldError[] | undefined;
  /** Which form `errors` belong to. */
  form?: 'update' | 'reply' | 'bounce' | undefined;
  notice?: string | undefined;
}

/** The letter's languages, its default first. */
const languagesOf = (d: UpdatesDesk) => [d.letter.defaultLang, ...d.letter.versions.map((v) => v.lang).filter((l) => l !== d.letter.defaultLang)];

function deliverySection(t: T, p: UpdatesPage): SafeHtml {
  const { desk } = p;
  const action = `/${t.lang}/organise/letters/${desk.letter.slug}/deliver`;
  const status = (x: UpdatesDesk['targets'][number]) => {
    const d = x.last;
    if (!d) return t('desk.delivery.never');
    if (d.status === 'sent') return t('desk.delivery.status.sent', { date: t.dateTime(d.sentAt ?? d.updatedAt) });
    if (d.status === 'queued') return t('desk.delivery.status.queued');
    // A pasted bounce may be long: its first line here, the whole text under it.
    const first = (d.error ?? '').split(/\r?\n/).find((l) => l.trim())?.trim() ?? '';
    const line = first.length > 200 ? `${first.slice(0, 200)}…` : first;
    const whole = d.status === 'bounced' && (d.error ?? '').trim() !== first ? html`<details class="bounce-text"><summary>${t('desk.delivery.bounceMessage')}</summary><pre dir="ltr">${d.error ?? ''}</pre></details>` : '';
    // The server's words keep their own direction inside a right-to-left sentence (first strong isolate).
    return html`${t(`desk.delivery.status.${d.status}`, { reason: `\u2068${line}\u2069` })}${whole}`;
  };
  /** A sent delivery: the owner may mark it bounced, pasting the bounce message. */
  const bounceForm = (x: UpdatesDesk['targets'][number]) => {
    const d = x.last;
    if (d?.status !== 'sent') return '';
    const mine = p.form === 'bounce' && p.bounceValues?.delivery === d.id;
    const errors = mine ? p.errors ?? [] : [];
    const fid = `bounce-${x.target.id}`;
    return html`<details class="bounce"${mine ? html` open` : ''}><summary>${t('desk.delivery.bounce')}</summary>
<form method="post" action="/${t.lang}/organise/letters/${desk.letter.slug}/bounce">${csrfField(p.csrf)}<input type="hidden" name="delivery" value="${d.id}">
<div class="field${errors.length ? ' has-error' : ''}"><label for="${fid}">${t('desk.delivery.bounceText')}</label>
<textarea id="${fid}" name="bounce" rows="4" dir="ltr"${errors.length ? html` aria-invalid="true" aria-describedby="bounce-error"` : ''}>${mine ? String(p.bounceValues?.bounce ?? '') : ''}</textarea>${fieldError(t, errors, 'bounce')}</div>
<button type="submit">${t('desk.delivery.bounce')}</button></form></details>`;
  };
  return html`<section class="desk-delivery" aria-labelledby="delivery-heading">
<h2 id="delivery-heading">${t('desk.delivery.title')}</h2>
${desk.targets.length
  ? html`<table class="targets"><thead><tr><th scope="col">${t('desk.delivery.target')}</th><th scope="col">${t('organise.version.lang')}</th><th scope="col">${t('desk.delivery.status')}</th></tr></thead>
<tbody>${desk.targets.map((x) => html`<tr><th scope="row"><bdi>${x.target.name}</bdi>${x.target.title ? html`<br><span class="hint"><bdi>${x.target.title}</bdi></span>` : ''}</th>
<td dir="ltr">${x.target.lang}</td><td class="status-${x.last?.status ?? 'none'}">${status(x)}${bounceForm(x)}</td></tr>`)}</tbody></table>
${desk.letter.state === 'draft' ? '' : html`<form method="post" action="${action}">${csrfField(p.csrf)}<button type="submit" class="primary">${t('desk.delivery.deliver')}</button></form>`}`
  : html`<p>${t('desk.delivery.none')} <a href="/${t.lang}/organise/letters/${desk.letter.slug}/edit#targets">${t('organise.edit')}</a></p>`}
</section>`;
}

/** The milestone draft in each language of the letter, in that language's own words. */
export function milestoneValues(desk: UpdatesDesk, tFor: (lang: string) => T): Values {
  const v: Values = { kind: 'milestone' };
  for (const lang of languagesOf(desk)) {
    const lt = tFor(lang);
    const title = desk.letter.versions.find((x) => x.lang === lang)?.title ?? desk.letter.slug;
    v[`subject.${lang}`] = lt('desk.milestone.subject', { title });
    v[`body.${lang}`] = lt('desk.milestone.body', { title, count: desk.count, goal: desk.letter.goal ?? 0 });
  }
  return v;
}

function updateForm(t: T, p: UpdatesPage, values: Values, errors: FieldError[]): SafeHtml {
  const { desk } = p;
  const action = `/${t.lang}/organise/letters/${desk.letter.slug}/updates`;
  return html`<section class="desk-updates" aria-labelledby="updates-heading">
<h2 id="updates-heading">${t('desk.updates.write')}</h2>
<ul class="counts update-reach"><li><strong>${t('desk.updates.next', { count: desk.recipients })}</strong></li><li>${t('desk.updates.unsubscribed', { count: desk.unsubscribed })}</li></ul>
<p class="hint">${t('desk.updates.hint', { count: desk.recipients, lang: languageLabel(desk.letter.defaultLang) })}</p>
${desk.offerMilestone ? html`<p class="notice" role="status">${t('desk.milestone.offer', { goal: desk.letter.goal ?? 0 })}</p>` : ''}
<form method="post" action="${action}" novalidate>
${csrfField(p.csrf)}
<input type="hidden" name="key" value="${p.nonce}">
${values.kind === 'milestone' ? html`<input type="hidden" name="kind" value="milestone">` : ''}
${languagesOf(desk).map((lang) => html`<fieldset class="version" lang="${lang}"><legend>${languageLabel(lang)}</legend>
${input({ t, name: `subject.${lang}`, label: t('desk.updates.subject', { language: languageLabel(lang) }), values, errors, maxlength: UPDATE_LIMITS.subject, dir: directionOf(lang), required: lang === desk.letter.defaultLang })}
${input({ t, name: `body.${lang}`, label: t('desk.updates.body', { language: languageLabel(lang) }), values, errors, multiline: true, maxlength: UPDATE_LIMITS.body, dir: directionOf(lang), required: lang === desk.letter.defaultLang })}
</fieldset>`)}
<button type="submit" class="primary">${t('desk.updates.send')}</button>
</form>
</section>`;
}

function history(t: T, desk: UpdatesDesk): SafeHtml {
  const pick = (m: Record<string, string>) => {
    const lang = m[t.lang] !== undefined ? t.lang : m[desk.letter.defaultLang] !== undefined ? desk.letter.defaultLang : Object.keys(m)[0] ?? t.lang;
    return html`<bdi lang="${lang}" dir="${directionOf(lang)}">${m[lang] ?? ''}</bdi>`;
  };
  return html`<section aria-labelledby="history-heading"><h2 id="history-heading">${t('desk.updates.history')}</h2>
${desk.updates.length
  ? html`<ul class="updates">${desk.updates.map((u) => html`<li><span class="hint">${t.dateTime(u.createdAt)} · ${t(`desk.updates.kind.${u.kind}`)} · ${t('desk.updates.recipients', { count: u.recipients })}</span><br>${pick(u.subject)}</li>`)}</ul>`
  : html`<p>${t('desk.updates.none')}</p>`}
</section>`;
}

function replyForm(t: T, p: UpdatesPage, values: Values, errors: FieldError[]): SafeHtml {
  const { desk } = p;
  const action = `/${t.lang}/organise/letters/${desk.letter.slug}/replies`;
  const notify = values.notify === undefined || values.notify === 'yes';
  return html`<section class="desk-reply" aria-labelledby="reply-form-heading">
<h2 id="reply-form-heading">${t('desk.reply.title')}</h2>
<p class="hint">${t('desk.reply.hint')}</p>
${errors.some((e) => e.field === 'texts') ? fieldError(t, errors, 'texts') : ''}
<form method="post" action="${action}" enctype="multipart/form-data" novalidate>
${csrfField(p.csrf)}
<input type="hidden" name="key" value="${p.nonce}">
${input({ t, name: 'receivedOn', label: t('desk.reply.received'), values, errors, type: 'date', dir: 'ltr', required: true })}
${languagesOf(desk).map((lang) => html`<div lang="${lang}">${input({ t, name: `texts.${lang}`, label: t('desk.reply.text', { language: languageLabel(lang) }), values, errors, multiline: true, maxlength: UPDATE_LIMITS.replyBody, dir: directionOf(lang) })}</div>`)}
<div class="field${errors.some((e) => e.field === 'pdf') ? ' has-error' : ''}"><label for="pdf">${t('desk.reply.pdf')}</label>
<input id="pdf" name="pdf" type="file" accept="application/pdf">${fieldError(t, errors, 'pdf')}</div>
<label class="choice"><input type="checkbox" name="notify" value="yes"${notify ? html` checked` : ''}> ${t('desk.reply.notify')}</label>
<button type="submit" class="primary">${t('desk.reply.save')}</button>
</form>
${desk.replies.length ? html`<h3>${t('desk.reply.list')}</h3><ul class="replies">${desk.replies.map((r) => html`<li><span class="hint">${t.date(`${r.receivedOn}T12:00:00.000Z`)} · ${r.texts.map((x) => languageLabel(x.lang)).join(t('letter.sep'))}${r.pdfSha256 ? ' · PDF' : ''}</span></li>`)}</ul>` : ''}
</section>`;
}

export function updatesPage(t: T, base: string, p: UpdatesPage): string {
  const { desk } = p;
  const title = (desk.letter.versions.find((v) => v.lang === t.lang) ?? desk.letter.versions.find((v) => v.lang === desk.letter.defaultLang) ?? desk.letter.versions[0])?.title ?? desk.letter.slug;
  const errors = p.errors ?? [];
  const body = html`<section class="wide">
<p><a href="/${t.lang}/organise">${t('organise.yourLetters')}</a></p>
<h1>${t('desk.updates')}: <bdi>${title}</bdi></h1>
${p.notice ? html`<div class="notice" role="status">${p.notice}</div>` : ''}
${errors.length ? html`<div class="alert" role="alert">${t('sign.errors')}</div>` : ''}
${deliverySection(t, p)}
${updateForm(t, p, p.updateValues ?? {}, p.form === 'reply' ? [] : errors)}
${history(t, desk)}
${replyForm(t, p, p.replyValues ?? {}, p.form === 'reply' ? errors : [])}
</section>`;
  return layout({ t, title: t('desk.updates'), body, baseUrl: base, signedInAs: p.me, noindex: true });
}
