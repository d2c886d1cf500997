/** /tasks: what jobs can run here. Task names come from this registry only; nothing is evaluated. */
import type { ServerContext } from "../context.js";
import { type RouteDefinition, defineRoute } from "../route.js";
import { TaskListSchema, type TaskList } from "../schemas/tasks.js";
import { toTask } from "../serialize.js";

export function taskRoutes(ctx: ServerContext): RouteDefinition[] {
  return [
    defineRoute({
      method: "GET",
      url: "/tasks",
      operationId: "listTasks",
      summary: "List the registered tasks",
      description:
        "Name, description and the JSON Schema of the arguments of every task this process can run.",
      tags: ["tasks"],
      access: "read",
      responses: { 200: { description: "The tasks, by name.", schema: TaskListSchema } },
      handler(): Promise<TaskList> {
        return Promise.resolve({ items: ctx.scheduler.tasks.list().map(toTask) });
      },
    }),
  ];
}
