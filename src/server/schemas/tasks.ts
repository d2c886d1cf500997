/** Tasks: the functions jobs can run, as registered in the serving process. */
import { z } from "zod";

export const TaskSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  /** The JSON Schema of the task's `args` array, when the task declares one (for the dashboard's form). */
  argsSchema: z.record(z.string(), z.unknown()).nullable(),
});

export const TaskListSchema = z.object({ items: z.array(TaskSchema) });

export type Task = z.output<typeof TaskSchema>;
export type TaskList = z.output<typeof TaskListSchema>;
