/**
 * What the adapters that drive the application (HTTP, the CLI) may use of it: the use-cases' ports, the public
 * read model and the log's identity. main.ts builds it; adapters import this type, never the composition root.
 */
import type { Deps } from './deps.ts';
import type { PublicReads } from './reads/public-reads.ts';
import type { DocumentRenderer, LetterPdfs } from '../core/ports.ts';
import type { HealthReads } from './reads/health.ts';

export interface Services {
  deps: Deps;
  reads: PublicReads;
  /** GET /health, and whether signers are told their mail may take a few minutes (the outbox backlog). */
  health: HealthReads;
  /** The transparency log's origin and verifier key (served at /log/key). */
  log: { origin: string; vkey: string };
  /** Draws the letter's PDF and share cards (a headless browser, started on first use). */
  renderer: DocumentRenderer;
  /** The letter's PDF, kept per data version: what GET /letters/SLUG.pdf serves and a delivery mails. */
  documents: LetterPdfs;
}
