/**
 * /session: who the caller is, and the short-lived events token that lets a browser open the event
 * stream (an EventSource cannot send an Authorization header).
 *
 * Only a bearer token can get an events token: an events token (or its cookie) cannot renew itself.
 */
import { EVENTS_COOKIE } from "../auth.js";
import type { ServerContext } from "../context.js";
import { HttpError } from "../errors.js";
import { type RouteDefinition, defineRoute } from "../route.js";
import { SessionSchema, WhoAmISchema, type Session, type WhoAmI } from "../schemas/session.js";

const TAGS = ["session"];

export function sessionRoutes(ctx: ServerContext): RouteDefinition[] {
  return [
    defineRoute({
      method: "GET",
      url: "/session",
      operationId: "whoAmI",
      summary: "Who the token belongs to and what it may do",
      description:
        "The dashboard's sign-in checks a token with it, and hides what a read-only token cannot do.",
      tags: TAGS,
      access: "read",
      responses: { 200: { description: "The token's name and access.", schema: WhoAmISchema } },
      handler({ principal }): Promise<WhoAmI> {
        const p = required(principal);
        return Promise.resolve({ name: p.name, access: p.access });
      },
    }),
    defineRoute({
      method: "POST",
      url: "/session",
      operationId: "createSession",
      summary: "Get an events token for GET /events",
      description:
        "Returns a token for `GET /events?token=...`, and sets it as an HttpOnly, SameSite=Strict cookie scoped to /events, so that `new EventSource('/events')` works as is. It expires after ten minutes (by default) and opens nothing but the event stream; get a new one to reconnect after that.",
      tags: TAGS,
      access: "read",
      responses: { 200: { description: "The events token.", schema: SessionSchema } },
      handler({ principal, request, reply }): Promise<Session> {
        const p = required(principal);
        const issued = ctx.auth.issueEventsToken(p);
        const secure = request.protocol === "https" ? "; Secure" : "";
        void reply.header(
          "set-cookie",
          `${EVENTS_COOKIE}=${issued.token}; Path=/events; Max-Age=${Math.floor(issued.ttlMs / 1000)}; HttpOnly; SameSite=Strict${secure}`,
        );
        return Promise.resolve({
          name: p.name,
          access: p.access,
          eventsToken: issued.token,
          expiresAt: new Date(issued.expiresAt).toISOString(),
        });
      },
    }),
    defineRoute({
      method: "DELETE",
      url: "/session",
      operationId: "deleteSession",
      summary: "Forget the events cookie",
      description: "Clears the cookie POST /session set (signing out of the dashboard).",
      tags: TAGS,
      access: "read",
      responses: { 204: { description: "Cleared." } },
      handler({ reply }) {
        void reply
          .code(204)
          .header("set-cookie", `${EVENTS_COOKIE}=; Path=/events; Max-Age=0; HttpOnly; SameSite=Strict`);
        return Promise.resolve(undefined);
      },
    }),
  ];
}

function required<T>(principal: T | null): T {
  // Unreachable: the auth hook runs before every non-public route.
  if (principal === null) throw new HttpError(401, "UNAUTHORIZED", "This route needs a token.");
  return principal;
}
