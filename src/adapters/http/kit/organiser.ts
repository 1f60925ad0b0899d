/** The organiser's session: who is signed in (a signed cookie naming a session), and the guard of organiser pages. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionEmail } from '../../../use-cases/organiser-login.ts';
import type { Services } from '../../../use-cases/services.ts';

export const SESSION_COOKIE = 'us_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in organiser's email (set by organiserOnly). */
    organiser: string;
  }
}

/** The signed-in organiser's email, if any. */
export async function currentOrganiser(s: Services, req: FastifyRequest): Promise<string | undefined> {
  const raw = req.cookies?.[SESSION_COOKIE];
  if (!raw) return undefined;
  const un = req.unsignCookie(raw);
  return un.valid && un.value ? sessionEmail(s.deps, un.value) : undefined;
}

/** A preHandler for organiser pages: sets req.organiser, or sends a visitor who is not signed in to the sign-in page. */
export function organiserOnly(s: Services) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const email = await currentOrganiser(s, req);
    if (!email) return reply.redirect(`/${req.t.lang}/organise`, 303);
    req.organiser = email;
  };
}
