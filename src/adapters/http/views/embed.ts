/**
 * What other sites may show of a letter: the embed page (a small frameable page: title, count, progress, a sign
 * button opening the letter in a new tab) and the count as an SVG badge. No script, no form, nothing per visitor.
 */
import type { LetterVersion, LetterWithText } from '../../../core/model.ts';
import { directionOf } from '../../../core/text.ts';
import type { T } from '../../i18n/index.ts';
import { html } from './html.ts';
import { countText } from './letter.ts';

type Split = { email: number; paper: number; imported: number };

export function embedDocument(t: T, baseUrl: string, letter: LetterWithText, version: LetterVersion, count: number, split?: Split): string {
  const url = `${baseUrl}/${version.lang}/letters/${letter.slug}`;
  return html`<!doctype html>
<html lang="${version.lang}" dir="${directionOf(version.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${version.title}</title>
<link rel="stylesheet" href="/assets/embed.css">
</head>
<body>
<div class="embed">
<p class="title"><a href="${url}" target="_blank" rel="noopener">${version.title}</a></p>
<p class="count"><strong>${countText(t, count, split)}</strong>${letter.goal ? html` <span class="goal">${t('letter.goalOnly', { goal: t.number(letter.goal) })}</span>` : ''}</p>
${letter.goal ? html`<progress max="${letter.goal}" value="${Math.min(count, letter.goal)}">${t.number(count)}</progress>` : ''}
${letter.state === 'open'
  ? html`<a class="sign" href="${url}#sign-heading" target="_blank" rel="noopener">${t('embed.sign')}</a>`
  : html`<p class="closed">${t('letter.closed')}</p>`}
</div>
</body>
</html>
`.value;
}

/** The iframe snippet for the letter page's share block. */
export function embedSnippet(baseUrl: string, letter: LetterWithText, version: LetterVersion): string {
  return `<iframe src="${baseUrl}/${version.lang}/letters/${letter.slug}/embed" width="360" height="190" style="border:0" title="${version.title.replace(/[&<>"]/g, '')}"></iframe>`;
}

/** Width of a text in the badge's 11px sans-serif, estimated (no font metrics on the server). */
const textWidth = (s: string) => Math.ceil([...s].length * 6.6) + 12;

/** A shields-style badge: the label ("Signatures") and the count, in the given language's words and digits. */
export function badgeSvg(t: T, count: number, split?: Split): string {
  const label = t('chart.count');
  const value = t.number(count);
  // The number alone on the badge; its title (a tooltip, what screen readers say) splits it when not all came by email.
  const spoken = split && split.paper + split.imported > 0 ? countText(t, count, split) : `${label}: ${value}`;
  const lw = textWidth(label);
  const vw = textWidth(value);
  const w = lw + vw;
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${spoken}">
<title>${spoken}</title>
<rect width="${lw}" height="20" rx="3" fill="#555"/>
<rect x="${lw}" width="${vw}" height="20" rx="3" fill="#1b4d89"/>
<rect x="${lw - 4}" width="8" height="20" fill="#1b4d89"/>
<g fill="#fff" font-family="Vazirmatn,DejaVu Sans,Verdana,sans-serif" font-size="11" text-anchor="middle">
<text x="${lw / 2}" y="14" direction="${t.dir}">${label}</text>
<text x="${lw + vw / 2}" y="14">${value}</text>
</g>
</svg>
`.value;
}
