/** Runs the CLI's commands in this process against a real API server on a free 127.0.0.1 port. */
import type { Command } from "commander";
import type { CliIo } from "../../src/cli/api-command.js";

export interface CliResult {
  out: string;
  err: string;
  /** The exit code the command set (0 when it set none). */
  code: number;
}

/**
 * Runs `factory`'s command with `args` (as typed after `cronq <name>`), capturing what it prints.
 * Commander's own errors (a missing option) are captured too, instead of exiting the test process.
 */
export async function runCli(
  factory: (io: CliIo) => Command,
  args: string[],
  env: Record<string, string | undefined>,
  now: number,
): Promise<CliResult> {
  const result: CliResult = { out: "", err: "", code: 0 };
  const io: CliIo = {
    out: (text) => void (result.out += text),
    err: (text) => void (result.err += text),
    env,
    setExitCode: (code) => void (result.code = code),
    now: () => now,
  };
  const command = factory(io);
  const configure = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({
      writeOut: (text) => void (result.out += text),
      writeErr: (text) => void (result.err += text),
    });
    cmd.commands.forEach(configure);
  };
  configure(command);
  try {
    await command.parseAsync(args, { from: "user" });
  } catch (error) {
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    if (typeof exitCode !== "number") throw error;
    result.code = exitCode;
  }
  return result;
}
