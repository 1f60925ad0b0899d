/** What the letter page shows under the list: the charts with the open data links, then the share block. */
import type { LetterVersion, LetterWithText } from '../../../core/model.ts';
import type { LetterStats } from '../../../core/ports.ts';
import type { T } from '../../i18n/index.ts';
import { chartsSection } from './charts.ts';
import { html, type SafeHtml } from './html.ts';
import { shareBlock } from './share.ts';

export function letterExtras(t: T, baseUrl: string, letter: LetterWithText, version: LetterVersion, count: number, stats: LetterStats | undefined): SafeHtml {
  return html`${stats ? chartsSection(t, letter.slug, stats) : ''}
${letter.state === 'draft' ? '' : shareBlock(t, baseUrl, letter, version, count)}`;
}
