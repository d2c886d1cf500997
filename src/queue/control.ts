/**
 * The control channel (`<prefix>:control`): messages every worker hears, for what no queue can
 * carry. A cancel reaches the process executing the run (overlap `replace`, a user's cancel from
 * the API), and a new queue group reaches workers that consume every group.
 *
 * Pub/sub is fire-and-forget: a worker that is disconnected when a message is published misses it.
 * Both messages are therefore backed by state: a cancelled run that is not executing is cancelled in
 * the store by the sender, and groups are also kept in the `<prefix>:groups` set that workers poll.
 */
import type { Redis } from "ioredis";
import type { RunReason } from "../core/jobs/job.js";

export type ControlMessage =
  /** Abort the run if it executes here; it is recorded as cancelled with `reason`. */
  | { type: "cancel"; runId: string; reason: RunReason }
  /** Runs were queued in a group workers may not consume yet. */
  | { type: "group"; group: string };

export function controlChannel(prefix: string): string {
  return `${prefix}:control`;
}

export function groupsKey(prefix: string): string {
  return `${prefix}:groups`;
}

export async function publishControl(client: Redis, prefix: string, message: ControlMessage): Promise<void> {
  await client.publish(controlChannel(prefix), JSON.stringify(message));
}

/** Parses a control message; null for anything else on the channel (a newer cronq's messages). */
export function parseControl(text: string): ControlMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const message = value as Record<string, unknown>;
  if (message.type === "cancel" && typeof message.runId === "string" && typeof message.reason === "string") {
    return { type: "cancel", runId: message.runId, reason: message.reason as RunReason };
  }
  if (message.type === "group" && typeof message.group === "string") {
    return { type: "group", group: message.group };
  }
  return null;
}
