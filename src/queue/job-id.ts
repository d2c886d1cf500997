/**
 * The BullMQ job id of an occurrence.
 *
 * An occurrence's identity is its run id, `jobId@2026-11-27T09:00:00.000Z` (STYLE pattern 5), and
 * it is the queue job's id too, so that adding the same occurrence twice is one job. BullMQ refuses
 * two kinds of custom ids: integers (`"123"`: they would collide with its own counter ids) and ids
 * containing `:` (its key separator, reserved for its repeat jobs), and ISO times are full of `:`.
 * So `%` becomes `%25` and `:` becomes `%3A`, percent-encoding style: reversible, readable in
 * BullMQ's tools (`job1@2026-11-27T09%3A00%3A00.000Z`), and never an integer because a run id always
 * holds an `@`.
 */

/** The BullMQ job id of a run. */
export function queueJobId(runId: string): string {
  return runId.replace(/[%:]/g, (c) => (c === "%" ? "%25" : "%3A"));
}

/** The run id of a BullMQ job id made by {@link queueJobId}. */
export function runIdOfQueueJob(jobId: string): string {
  // One pass, so that an encoded "%253A" (a literal "%3A" in the run id) decodes to "%3A", not ":".
  return jobId.replace(/%(25|3A)/g, (_, code: string) => (code === "25" ? "%" : ":"));
}
