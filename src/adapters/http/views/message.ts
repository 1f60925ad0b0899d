/** The frame of a short page: a heading and a message (confirmations, refusals, errors). */
import { html, type SafeHtml } from './html.ts';
import type { T } from '../../i18n/index.ts';
import { layout, type Alternate } from './layout.ts';

export function messagePage(_t: T, title: string, body: SafeHtml | string): SafeHtml {
  return html`<section class="message"><h1>${title}</h1>${typeof body === 'string' ? html`<p>${body}</p>` : body}</section>`;
}

/** A whole short page, never indexed: a heading and a message. */
export function messageDocument(t: T, base: string, title: string, message: SafeHtml | string, opts: { heading?: string; signedInAs?: string | undefined; alternates?: Alternate[] } = {}): string {
  return layout({ t, title, body: messagePage(t, opts.heading ?? title, message), baseUrl: base, noindex: true, signedInAs: opts.signedInAs, alternates: opts.alternates });
}
