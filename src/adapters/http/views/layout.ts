import { html, type SafeHtml } from './html.ts';
import type { T } from '../../i18n/index.ts';
import { openGraphTags, type OpenGraph } from './share.ts';
import { bidiIsolate } from './bidi.ts';

export interface Alternate {
  lang: string;
  href: string;
  /** Name of the language in itself, for the switcher. */
  label: string;
}

/** Names of languages in themselves; pages ask on every request and an Intl.DisplayNames is costly to make. */
const labels = new Map<string, string>();
export function languageLabel(lang: string): string {
  let label = labels.get(lang);
  if (label !== undefined) return label;
  try {
    label = new Intl.DisplayNames([lang], { type: 'language' }).of(lang) ?? lang;
  } catch {
    label = lang;
  }
  // Bounded: language tags come from letters and routes, but a cap keeps odd tags from growing it.
  if (labels.size < 500) labels.set(lang, label);
  return label;
}

export interface LayoutInput {
  t: T;
  title: string;
  body: SafeHtml;
  alternates?: Alternate[];
  canonical?: string | undefined;
  signedInAs?: string | undefined;
  baseUrl: string;
  noindex?: boolean;
  /** Same-origin scripts (CSP script-src 'self'; never inline), loaded as deferred modules. */
  scripts?: string[];
  /** More same-origin stylesheets after app.css (the sign form's widget). */
  styles?: string[];
  /** Reload the page after this many seconds (a receipt waiting for the log); no script needed. */
  refreshSeconds?: number;
  /** OpenGraph and Twitter card tags (views/share.ts). */
  og?: OpenGraph | undefined;
}

/** The page frame: lang and dir on <html>, hreflang alternates, a language switcher, no inline script or style. */
export function layout({ t, title, body, alternates = [], canonical, signedInAs, baseUrl, noindex, scripts = [], styles = [], refreshSeconds, og }: LayoutInput): string {
  const doc = html`<!doctype html>
<html lang="${t.uiLang}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${bidiIsolate(title)} · ${t('site.name')}</title>
${noindex ? html`<meta name="robots" content="noindex">` : ''}
${refreshSeconds ? html`<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}
${scripts.map((s) => html`<script type="module" src="${s}"></script>
`)}
<link rel="stylesheet" href="/assets/app.css">
${styles.map((s) => html`<link rel="stylesheet" href="${s}">
`)}<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
${canonical ? html`<link rel="canonical" href="${baseUrl}${canonical}">` : ''}
${alternates.map((a) => html`<link rel="alternate" hreflang="${a.lang}" href="${baseUrl}${a.href}">\n`)}
${og ? openGraphTags(og) : ''}
</head>
<body>
<header class="site">
  <a class="brand" href="/${t.lang}/">${t('site.name')}</a>
  <nav aria-label="${t('nav.language')}" class="langs">
    ${alternates.length > 1
      ? alternates.map((a) =>
          a.lang === t.lang
            ? html`<span class="current" lang="${a.lang}" aria-current="true">${a.label}</span>`
            : html`<a href="${a.href}" hreflang="${a.lang}" lang="${a.lang}">${a.label}</a>`,
        )
      : ''}
  </nav>
  <nav class="account"><a href="/${t.lang}/organise">${signedInAs ? t('organise.yourLetters') : t('nav.organise')}</a></nav>
</header>
<main id="main">
${body}
</main>
<footer class="site"><p>${t('footer.privacy')} <a href="/${t.lang}/privacy">${t('footer.privacyLink')}</a></p></footer>
</body>
</html>
`;
  return doc.value;
}
