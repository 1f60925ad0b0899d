/** The letter's share card (1200×630 PNG, drawn by the document renderer): title, count, addressee, site name. */
import type { LetterVersion, LetterWithText } from '../../../core/model.ts';
import { directionOf } from '../../../core/text.ts';
import type { T } from '../../i18n/index.ts';
import { html } from './html.ts';
import { splitParts } from './letter.ts';

export const CARD = { width: 1200, height: 630 } as const;

export function cardDocument(t: T, letter: LetterWithText, version: LetterVersion, count: number, split?: { email: number; paper: number; imported: number }): string {
  const to = version.addressee ?? letter.addressee;
  const progress = letter.goal ? Math.min(100, Math.round((count / letter.goal) * 100)) : undefined;
  return html`<!doctype html>
<html lang="${version.lang}" dir="${directionOf(version.lang)}">
<head><meta charset="utf-8"><title>${version.title}</title><link rel="stylesheet" href="/assets/card.css"></head>
<body>
<div class="card${version.title.length > 90 ? ' long' : ''}">
  <p class="to">${t('letter.to')}: <bdi>${to.name}</bdi>${to.title ? html`${t('letter.sep')}<bdi>${to.title}</bdi>` : ''}</p>
  <h1><bdi>${version.title}</bdi></h1>
  <div class="foot">
    <p class="count">${t('letter.count', { count })}${letter.goal ? html` <span class="goal">${t('letter.goalOnly', { goal: t.number(letter.goal) })}</span>` : ''}</p>
    ${splitParts(t, count, split) !== undefined ? html`<p class="split">${splitParts(t, count, split)}</p>` : ''}
    ${progress !== undefined ? html`<div class="bar"><div class="fill w${progress}"></div></div>` : ''}
    <p class="site">${t('site.name')}</p>
  </div>
</div>
</body>
</html>
`.value;
}
