/** /healthz and /readyz: the only routes that need no token (they reveal nothing but up or down). */
import { StoreUnavailableError } from "../../core/errors.js";
import type { ServerContext } from "../context.js";
import { type RouteDefinition, defineRoute } from "../route.js";
import { ErrorEnvelopeSchema } from "../schemas/common.js";
import { z } from "zod";

const READY_TIMEOUT_MS = 2000;

export const HealthSchema = z.object({ status: z.literal("ok") });
export const ReadySchema = z.object({ status: z.literal("ready") });

export function healthRoutes(ctx: ServerContext): RouteDefinition[] {
  return [
    defineRoute({
      method: "GET",
      url: "/healthz",
      operationId: "health",
      summary: "Whether the process is alive",
      tags: ["health"],
      access: "public",
      responses: { 200: { description: "Alive.", schema: HealthSchema } },
      handler: () => Promise.resolve({ status: "ok" as const }),
    }),
    defineRoute({
      method: "GET",
      url: "/readyz",
      operationId: "ready",
      summary: "Whether the store is reachable",
      tags: ["health"],
      access: "public",
      responses: {
        200: { description: "The store answered.", schema: ReadySchema },
        503: { description: "The store did not answer in time or refused.", schema: ErrorEnvelopeSchema },
      },
      async handler() {
        await pingWithin(ctx, READY_TIMEOUT_MS);
        return { status: "ready" as const };
      },
    }),
  ];
}

async function pingWithin(ctx: ServerContext, ms: number): Promise<void> {
  let timer: ReturnType<ServerContext["clock"]["setTimer"]> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = ctx.clock.setTimer(
      () => reject(new StoreUnavailableError(`The store did not answer within ${ms} ms.`)),
      ms,
    );
  });
  try {
    await Promise.race([
      ctx.scheduler.store.ping().catch((error: unknown) => {
        throw error instanceof StoreUnavailableError
          ? error
          : new StoreUnavailableError("The store's ping failed.", { cause: error });
      }),
      timeout,
    ]);
  } finally {
    timer?.cancel();
  }
}
