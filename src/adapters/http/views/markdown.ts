/** Letter bodies are Markdown rendered with raw HTML disabled: organisers cannot inject markup or scripts. */
import MarkdownIt from 'markdown-it';
import { trusted, type SafeHtml } from './html.ts';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
// Links open safely and never carry javascript: URLs (markdown-it's validateLink already refuses them).
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'nofollow noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

const cache = new Map<string, SafeHtml>();
export function renderMarkdown(src: string): SafeHtml {
  let out = cache.get(src);
  if (!out) {
    out = trusted(md.render(src));
    if (cache.size > 500) cache.clear();
    cache.set(src, out);
  }
  return out;
}
