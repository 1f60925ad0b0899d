/**
 * The document renderer on Debian's chromium through playwright-core: the browser is started on the first request,
 * kept for the next ones, started again if it died, and closed on shutdown. Each document is drawn in a fresh
 * browser context that reaches nothing outside: the page is served from memory at a made-up origin, /assets/…
 * from our own files (`resource`), every other request is aborted. Page scripts are off (CSP script-src 'none').
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { DomainError } from '../../core/errors.ts';
import type { DocumentRenderer, RenderInput } from '../../core/ports.ts';
import { BoundedQueue } from './queue.ts';

/** One of our files for the document (a stylesheet, a font). */
export type Resource = (path: string) => Promise<{ body: Buffer; type: string } | undefined>;

export interface ChromiumOptions {
  executablePath: string;
  resource: Resource;
  /** Documents drawn at once (each uses a core while it lays out); default 1. */
  concurrency?: number;
  /** Documents that may wait; one more is SERVER_BUSY. Default 8. */
  waiting?: number;
  /** A document that takes longer is given up (SERVER_BUSY). Default 120 s. */
  timeoutMs?: number;
}

const ORIGIN = 'http://document.invalid';
const DOCUMENT_CSP = "default-src 'self'; script-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:";

export class ChromiumRenderer implements DocumentRenderer {
  private browser: Promise<Browser> | undefined;
  private readonly queue: BoundedQueue;
  private closed = false;

  constructor(private readonly opts: ChromiumOptions) {
    this.queue = new BoundedQueue(opts.concurrency ?? 1, opts.waiting ?? 8);
  }

  pdf(doc: RenderInput): Promise<Uint8Array> {
    // Untagged: tagging doubled the drawing time of a 3,000-name list and made the file six times larger.
    return this.draw(doc, async (page) => page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: false, outline: false }));
  }

  png(doc: RenderInput & { width: number; height: number }): Promise<Uint8Array> {
    return this.draw(doc, async (page) => page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: doc.width, height: doc.height } }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const b = this.browser;
    this.browser = undefined;
    if (b) await b.then((x) => x.close(), () => undefined);
  }

  private start(): Promise<Browser> {
    if (this.closed) throw new DomainError('SERVER_BUSY', 'The server is stopping');
    if (!this.browser) {
      const launching = chromium.launch({
        executablePath: this.opts.executablePath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions'],
        timeout: 30_000,
      });
      this.browser = launching;
      launching.then((b) => b.on('disconnected', () => {
        if (this.browser === launching) this.browser = undefined;
      }), () => {
        if (this.browser === launching) this.browser = undefined;
      });
    }
    return this.browser;
  }

  private draw<T extends Uint8Array>(doc: RenderInput, take: (page: Page) => Promise<T>): Promise<Uint8Array> {
    return this.queue.run(async () => {
      const browser = await this.start();
      const context = await browser.newContext({
        viewport: { width: doc.width ?? 1200, height: doc.height ?? 800 },
        deviceScaleFactor: 1,
        serviceWorkers: 'block',
      });
      const timer = setTimeout(() => void context.close().catch(() => undefined), this.opts.timeoutMs ?? 120_000);
      try {
        const page = await context.newPage();
        await page.route('**/*', async (route) => {
          const url = new URL(route.request().url());
          if (url.origin !== ORIGIN) return route.abort();
          if (url.pathname === '/document') {
            return route.fulfill({ body: doc.html, contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': DOCUMENT_CSP } });
          }
          const file = url.pathname.startsWith('/assets/') ? await this.opts.resource(decodeURIComponent(url.pathname)) : undefined;
          return file ? route.fulfill({ body: file.body, contentType: file.type }) : route.abort();
        });
        await page.goto(`${ORIGIN}/document`, { waitUntil: 'load' });
        // Fonts are in: text drawn before them would be shaped with a fallback font.
        await page.evaluate('document.fonts.ready.then(() => true)');
        return await take(page);
      } catch (e) {
        if (e instanceof DomainError) throw e;
        throw new DomainError('DOCUMENT_UNAVAILABLE', `The document could not be drawn: ${(e as Error).message.split('\n')[0]}`);
      } finally {
        clearTimeout(timer);
        await context.close().catch(() => undefined);
      }
    });
  }
}
