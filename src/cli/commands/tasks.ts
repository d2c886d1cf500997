/** `cronq tasks`: the tasks the server can run, with their description and arguments. */
import { Command } from "commander";
import {
  type CliIo,
  type OutputOptions,
  apiOptions,
  client,
  printJson,
  processIo,
  run,
} from "../api-command.js";
import { table } from "../format.js";

export function tasksCommand(io: CliIo = processIo): Command {
  return apiOptions(new Command("tasks"))
    .description("List the tasks jobs can run (as registered in the server's config)")
    .addHelpText(
      "after",
      `
Examples:
  $ cronq tasks
  $ cronq tasks --json     # with each task's JSON Schema of arguments`,
    )
    .action((options: OutputOptions) =>
      run(io, options, async () => {
        const { items } = await client(io, options).listTasks();
        if (options.json) return printJson(io, { items });
        io.out(
          table(items, [
            { header: "NAME", value: (t) => t.name, max: 40 },
            { header: "DESCRIPTION", value: (t) => t.description ?? "-", max: 70 },
            {
              header: "ARGUMENTS",
              value: (t) => (t.argsSchema ? JSON.stringify(t.argsSchema) : "-"),
              max: 60,
            },
          ]),
        );
      }),
    );
}
