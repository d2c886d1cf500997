/** /openapi.json and /metrics: the API's description and the Prometheus metrics. */
import type { ServerContext } from "../context.js";
import { HttpError } from "../errors.js";
import { type RouteDefinition, defineRoute } from "../route.js";

export function metaRoutes(ctx: ServerContext): RouteDefinition[] {
  return [
    defineRoute({
      method: "GET",
      url: "/openapi.json",
      operationId: "getOpenApi",
      summary: "This API's OpenAPI 3.1 document",
      tags: ["meta"],
      access: "read",
      responses: { 200: { description: "The OpenAPI document.", contentType: "application/json" } },
      handler: () => Promise.resolve(ctx.openApi()),
    }),
    defineRoute({
      method: "GET",
      url: "/metrics",
      operationId: "getMetrics",
      summary: "Prometheus metrics",
      description:
        "Fires, runs by outcome, fire lateness, run durations, missed and skipped occurrences by reason, queue depth, lease losses, jobs by status, API requests.",
      tags: ["meta"],
      access: "read",
      responses: {
        200: { description: "Metrics in Prometheus' text format.", contentType: "text/plain; version=0.0.4" },
      },
      async handler({ reply }) {
        if (!ctx.metrics) throw new HttpError(404, "NOT_FOUND", "Metrics are turned off on this server.");
        const text = await ctx.metrics.registry.metrics();
        void reply.header("content-type", ctx.metrics.registry.contentType);
        return text;
      },
    }),
  ];
}
