/** GET /events: the live event stream (server-sent events). See `event-stream.ts`. */
import type { ServerContext } from "../context.js";
import { type RouteDefinition, defineRoute } from "../route.js";
import { EventsQuerySchema } from "../schemas/events.js";
import { parseStreamFilter } from "../event-stream.js";
import { SECURITY_HEADERS } from "../security.js";

export function eventRoutes(ctx: ServerContext): RouteDefinition[] {
  return [
    defineRoute({
      method: "GET",
      url: "/events",
      operationId: "streamEvents",
      summary: "Live job and run events (server-sent events)",
      description:
        "Each scheduler event as an SSE message: `event:` is its name (`run:succeeded`, `job:added`...), `data:` its JSON, `id:` a position to resume from with `Last-Event-ID`. A `hello` event opens the stream; a `reset` event says events were lost and the client should reload. Authenticate with a bearer token, or (for EventSource) with an events token from POST /session as `?token=` or the cookie it sets.",
      tags: ["events"],
      access: "read",
      credentials: ["bearer", "query", "cookie"],
      query: EventsQuerySchema,
      responses: {
        200: {
          description: "An endless stream of events; see the API reference for each event's data.",
          contentType: "text/event-stream",
        },
      },
      handler({ query, request, reply }) {
        const filter = parseStreamFilter(query.types, query.job);
        ctx.events.checkCapacity();
        void reply.hijack();
        ctx.events.attach(request.raw, reply.raw, filter, SECURITY_HEADERS);
        return Promise.resolve(undefined);
      },
    }),
  ];
}
