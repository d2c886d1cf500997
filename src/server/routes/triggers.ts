/** /triggers/preview: a trigger in, its description and next fire times out (the job form's live preview). */
import { triggerFromOptions } from "../../core/triggers/index.js";
import type { TriggerSpecBase } from "../../core/triggers/trigger.js";
import type { ServerContext } from "../context.js";
import { withFieldPaths } from "../errors.js";
import { toTriggerOptions, triggerFieldMapper } from "../job-input.js";
import { type RouteDefinition, defineRoute } from "../route.js";
import {
  TriggerPreviewRequestSchema,
  TriggerPreviewSchema,
  type TriggerPreview,
} from "../schemas/triggers.js";

export function triggerRoutes(ctx: ServerContext): RouteDefinition[] {
  return [
    defineRoute({
      method: "POST",
      url: "/triggers/preview",
      operationId: "previewTrigger",
      summary: "Describe a trigger and compute its next fire times",
      description:
        "Changes nothing (a read-only token may call it). Errors name the field at fault, as creating a job with this trigger would.",
      tags: ["triggers"],
      access: "read",
      body: TriggerPreviewRequestSchema,
      responses: {
        200: { description: "The trigger in words and its next fire times.", schema: TriggerPreviewSchema },
      },
      async handler({ body }): Promise<TriggerPreview> {
        const now = body.after === undefined ? ctx.clock.now() : Date.parse(body.after);
        const trigger = await withFieldPaths(triggerFieldMapper(body.trigger, "trigger."), () =>
          triggerFromOptions(toTriggerOptions(body.trigger), {
            now,
            timezone: ctx.scheduler.options.timezone,
          }),
        );
        const spec = trigger.toJSON() as TriggerSpecBase & { timezone?: unknown; at?: unknown };
        const times: string[] = [];
        // As the scheduler does: the first fire may be `now` itself, and a one-off in the past is still due.
        let t = trigger.nextMs(now - 1);
        if (t === null && !trigger.recurring && typeof spec.at === "string") t = Date.parse(spec.at);
        for (; t !== null && times.length < (body.count ?? 5); t = trigger.nextMs(t)) {
          times.push(new Date(t).toISOString());
        }
        return {
          kind: trigger.kind,
          recurring: trigger.recurring,
          description: trigger.describe(),
          timezone: typeof spec.timezone === "string" ? spec.timezone : null,
          spec: spec as TriggerPreview["spec"],
          nextRunTimes: times,
        };
      },
    }),
  ];
}
