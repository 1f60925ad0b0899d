/**
 * 0012_mailbox_keys.
 * One signature per mailbox (docs/security.md): `signatures.email_key` becomes the mailbox key of core/signatures/
 * mailbox.ts (lower case, +tag dropped, Gmail's dots dropped, IDNA domain) instead of the lower-cased address. Where
 * a letter already holds several signatures of one mailbox, the earliest keeps the key (a new signing from that
 * mailbox finds it) and the others keep theirs with `#<id>` appended: nothing is removed or uncounted here; organisers
 * see them as duplicates as before. Erased (`erased:`) and imported (`imported:`) keys are left as they are.
 */
import type { Kysely, Migration } from 'kysely';
import { mailboxKeyOf } from '../../../../core/signatures/mailbox.ts';
import type { Dialect, TextType } from '../dialect.ts';

type Row = { id: string; letter_id: string; email: string; email_key: string; created_at: string };

export function mailboxKeys(_dialect: Dialect, _text: TextType): Migration {
  return {
    async up(db: Kysely<any>) {
      const rows = (await db.selectFrom('signatures').select(['id', 'letter_id', 'email', 'email_key', 'created_at']).orderBy('created_at').orderBy('id').execute()) as Row[];
      const taken = new Set<string>();
      const changes: { id: string; key: string }[] = [];
      for (const r of rows) if (r.email_key.startsWith('erased:') || r.email_key.startsWith('imported:')) taken.add(`${r.letter_id}\u0000${r.email_key}`);
      for (const r of rows) {
        if (r.email_key.startsWith('erased:') || r.email_key.startsWith('imported:')) continue;
        let key = mailboxKeyOf(r.email);
        if (taken.has(`${r.letter_id}\u0000${key}`)) key = `${key}#${r.id}`;
        taken.add(`${r.letter_id}\u0000${key}`);
        if (key !== r.email_key) changes.push({ id: r.id, key });
      }
      // Two passes, so that no row takes a key another still holds (the unique constraint holds at every statement).
      for (const c of changes) await db.updateTable('signatures').set({ email_key: `rekey:${c.id}` }).where('id', '=', c.id).execute();
      for (const c of changes) await db.updateTable('signatures').set({ email_key: c.key }).where('id', '=', c.id).execute();
    },
    async down() {
      // The earlier keys (lower-cased addresses) cannot all be told apart again; the new ones serve the old code too.
    },
  };
}
