/**
 * Drawn documents (a letter's PDF, its share card) kept per data version: one drawing per change of what the
 * document shows, shared by every request for it, and by requests arriving while it is drawn. Threat: a crowd asking
 * for a large letter's PDF (seconds of a browser's time each). Bounded by bytes; the oldest go first.
 */
import { createHash } from 'node:crypto';

export interface Drawn {
  bytes: Buffer;
  /** Strong ETag of the bytes. */
  etag: string;
  /** Base64 SHA-256 of the bytes (a delivered PDF is identified by it). */
  sha256: string;
  /** What the drawing recorded beside the bytes (the PDF's checkpoint). */
  meta: Record<string, unknown>;
}

export class DrawnDocuments {
  private readonly done = new Map<string, { inputs: string; drawn: Drawn }>();
  private readonly drawing = new Map<string, { inputs: string; p: Promise<Drawn> }>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  /** The document for `key` as of `inputs` (equal inputs, equal document), drawn by `draw` when not kept. */
  async get(key: string, inputs: string, draw: () => Promise<{ bytes: Uint8Array; meta?: Record<string, unknown> }>): Promise<Drawn> {
    const hit = this.done.get(key);
    if (hit && hit.inputs === inputs) {
      // Most recently used last.
      this.done.delete(key);
      this.done.set(key, hit);
      return hit.drawn;
    }
    const busy = this.drawing.get(key);
    if (busy && busy.inputs === inputs) return busy.p;
    const p = draw().then(({ bytes, meta }) => {
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const sha = createHash('sha256').update(buf).digest();
      const drawn: Drawn = { bytes: buf, etag: `"${sha.subarray(0, 18).toString('base64url')}"`, sha256: sha.toString('base64'), meta: meta ?? {} };
      this.keep(key, inputs, drawn);
      return drawn;
    }).finally(() => {
      if (this.drawing.get(key)?.p === p) this.drawing.delete(key);
    });
    this.drawing.set(key, { inputs, p });
    return p;
  }

  private keep(key: string, inputs: string, drawn: Drawn): void {
    const old = this.done.get(key);
    if (old) {
      this.bytes -= old.drawn.bytes.length;
      this.done.delete(key);
    }
    if (drawn.bytes.length > this.maxBytes) return;
    for (const [k, v] of this.done) {
      if (this.bytes + drawn.bytes.length <= this.maxBytes) break;
      this.done.delete(k);
      this.bytes -= v.drawn.bytes.length;
    }
    this.done.set(key, { inputs, drawn });
    this.bytes += drawn.bytes.length;
  }
}
