/**
 * The letter's print view, drawn to PDF by the document renderer (print.css): for each language version the
 * addressee, the date in that language's calendar and digits, the text and the count; then the public signatories in
 * the first version's order; then the log checkpoint the document was made from, so that a reader can check it.
 * Names are as typed, in <bdi>. The page numbers use the section's digits (print.css named pages).
 */
import type { LetterVersion, LetterWithText, PublicSignature } from '../../../core/model.ts';
import { directionOf } from '../../../core/text.ts';
import type { T } from '../../i18n/index.ts';
import { html, type SafeHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { countText } from './letter.ts';

export interface PrintInput {
  letter: LetterWithText;
  /** The versions to print, in order, each with the translator of its language. */
  sections: { t: T; version: LetterVersion }[];
  count: number;
  /** The count by how signatures came: printed when any did not come by email. */
  split?: { email: number; paper: number; imported: number } | undefined;
  /** The public list, sorted as the first section's language sorts. */
  items: readonly PublicSignature[];
  /** The log's state the document was made from; undefined before the first checkpoint. */
  checkpoint: { origin: string; size: number; rootHash: string } | undefined;
  /** When the document was made (ISO). */
  madeAt: string;
  baseUrl: string;
}

/** The numbering system of a language's digits ('latn', 'arabext', 'arab', …), for print.css's named pages. */
const digitsOf = new Map<string, string>();
export function digits(lang: string): string {
  let d = digitsOf.get(lang);
  if (!d) {
    try {
      d = new Intl.NumberFormat(lang).resolvedOptions().numberingSystem;
    } catch {
      d = 'latn';
    }
    if (digitsOf.size < 200) digitsOf.set(lang, d);
  }
  return d;
}

function letterSection(p: PrintInput, t: T, v: LetterVersion): SafeHtml {
  const to = v.addressee ?? p.letter.addressee;
  const url = `${p.baseUrl}/${v.lang}/letters/${p.letter.slug}`;
  return html`<article class="letter digits-${digits(t.lang)}" lang="${v.lang}" dir="${directionOf(v.lang)}">
<p class="addressee"><span class="to">${t('letter.to')}:</span> <bdi>${to.name}</bdi>${to.title ? html`<br><bdi>${to.title}</bdi>` : ''}</p>
<p class="date"><time datetime="${p.madeAt}">${t('print.madeAt', { date: t.date(p.madeAt) })}</time></p>
<h1>${v.title}</h1>
<div class="body">${renderMarkdown(v.body)}</div>
<p class="count">${t('print.count', { count: p.count, listed: t.number(p.items.length) })}</p>
${p.split && p.split.paper + p.split.imported > 0 ? html`<p class="count split">${countText(t, p.count, p.split)}</p>` : ''}
<p class="link">${t('print.link', { url })}</p>
</article>`;
}

function item(t: T, s: PublicSignature, n: string): SafeHtml {
  if (!s.name) return html`<p><span class="no">${n}</span> <span class="erased">${t('letter.erased')}</span></p>`;
  return html`<p><span class="no">${n}</span> <bdi class="name">${s.name}</bdi>${s.nameAlt ? html` <span class="alt">(<bdi>${s.nameAlt}</bdi>)</span>` : ''}${s.title ? html`${t('letter.sep')}<bdi class="affil">${s.title}</bdi>` : ''}${s.country ? html` <span class="country">· ${t.country(s.country)}</span>` : ''}</p>`;
}

/** The whole document, as the renderer loads it. */
export function printDocument(p: PrintInput): string {
  const first = p.sections[0]!;
  const t = first.t;
  const hidden = Math.max(0, p.count - p.items.length);
  const cp = p.checkpoint;
  const doc = html`<!doctype html>
<html lang="${t.lang}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<title>${first.version.title}</title>
<link rel="stylesheet" href="/assets/print.css">
</head>
<body>
${p.sections.map((s) => letterSection(p, s.t, s.version))}
<section class="signatories digits-${digits(t.lang)}" lang="${t.lang}" dir="${t.dir}">
<h2>${t('letter.signatories')}</h2>
${p.items.length ? html`<div class="names">${p.items.map((s, i) => item(t, s, `${t.number(i + 1)}.`))}</div>` : html`<p>${t('letter.noSignatories')}</p>`}
${hidden > 0 ? html`<p class="hint">${t('letter.hiddenNote', { count: hidden })}</p>` : ''}
</section>
<section class="check digits-${digits(t.lang)}" lang="${t.lang}" dir="${t.dir}">
<h2>${t('print.check.heading')}</h2>
<p>${cp
  ? t('print.check.body', { origin: cp.origin, size: t.number(cp.size), root: cp.rootHash, url: `${p.baseUrl} --letter ${p.letter.slug}` })
  : t('print.check.none')}</p>
${cp ? html`<p class="checkpoint" dir="ltr"><code>tree size ${cp.size}</code><br><code>root hash ${cp.rootHash}</code></p>` : ''}
</section>
</body>
</html>
`;
  return doc.value;
}
