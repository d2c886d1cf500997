/**
 * Shows V8, once per process and before the first burst, that the firing path's records die young.
 *
 * Why: V8 allocates the objects of an allocation site (an object or array literal in a function)
 * straight in the old generation ("pretenures" them) when, at a young-generation collection, 85%
 * or more of those made there since the last one are still alive. It judges from the objects made
 * by code not optimised yet, and does not judge a site again. The first bursts of a scheduler are
 * exactly what makes it pretenure: unoptimised code, and every run record, plan and attempt made so
 * far still alive (planned ahead of the instant, or waiting for its run to be recorded). From then
 * on every run record, attempt and attempt list went to the old generation, to die there: at
 * 100,000 jobs due each second, 155-160 MB per 3 s of firing outlived a young collection (V8's
 * sampling heap profiler, counting what young collections did not free), against 41-52 MB with the
 * sites shown first, and the major collections that clear the old generation ran inside bursts.
 *
 * How: the firing path, run for a throwaway job in a throwaway memory store (claim, plan, commit,
 * start, finish: the same functions, hence the same sites) for {@link OCCURRENCES} occurrences,
 * whose records are dropped at once. The young collection that follows (the `gcBeforeBurst`
 * option's, or V8's own next one) finds none of them alive, and V8 decides for good that those sites
 * are not pretenured. It touches nothing of the scheduler's. It took 19-33 ms on the benchmarks'
 * machine (Node 20 and 24), most of it compiling the firing path's code, which the first fire
 * would compile otherwise, and obtaining V8's collection, which the first burst of 1,000 would;
 * run again once all that was done, 2-5 ms.
 */
import { newJobRecord } from "../jobs/job.js";
import { DEFAULT_JOB_POLICY } from "../jobs/policies.js";
import { MemoryStore } from "../stores/memory.js";
import type { BatchArgs } from "../stores/store.js";
import { triggerFromOptions } from "../triggers/index.js";
import { planFire } from "./fire-plan.js";

/** Records made per site: V8 judges a site from 100 or more. */
const OCCURRENCES = 256;

let primed = false;

/**
 * {@link prime}, the first time it is called in this process; returns whether it ran.
 */
export async function primeFiringPath(collect: (() => void) | null): Promise<boolean> {
  if (primed) return false;
  primed = true;
  await prime(collect);
  return true;
}

/**
 * Runs the firing path on throwaway records, then `collect` (a young-generation collection) if
 * given. Never throws: it is an optimisation, and the scheduler works the same without it.
 */
export async function prime(collect: (() => void) | null): Promise<void> {
  try {
    await fireThrowaway();
    collect?.();
  } catch {
    // Nothing to undo: the records were throwaway ones.
  }
}

/** Fires {@link OCCURRENCES} occurrences of a throwaway job; returns how many ran to their end. */
export async function fireThrowaway(): Promise<number> {
  let ran = 0;
  const store = new MemoryStore();
  await store.open({ retention: { maxRunsPerJob: 1, maxAgeMs: 1_000 } });
  const trigger = triggerFromOptions({ interval: 1 }, { now: 0, timezone: "UTC" });
  const job = newJobRecord(
    {
      id: "cronq-prime",
      taskName: "cronq-prime",
      args: [],
      description: null,
      trigger: trigger.toJSON(),
      policy: DEFAULT_JOB_POLICY,
      paused: false,
      nextRunAt: trigger.nextMs(0),
    },
    0,
  );
  await store.insertJob(job, { replace: false, now: 0 });
  for (let i = 1; i <= OCCURRENCES; i++) {
    const now = i * 1_000;
    const args: BatchArgs = { now, owner: "cronq-prime", leaseMs: 1_000 };
    const [claimed] = await store.claimDueJobs({ ...args, limit: 1 });
    if (!claimed) break;
    const [result] = await store.commitFires([planFire(claimed, trigger, now).commit], args);
    const run = result?.inserted[0];
    if (run?.status !== "pending") break;
    const [started] = await store.startAttempts(
      [{ runId: run.id, token: run.lease?.token ?? null, record: run }],
      args,
    );
    if (!started || started instanceof Error) break;
    const [finished] = await store.finishAttempts(
      [
        {
          runId: run.id,
          record: started,
          token: started.lease?.token ?? 0,
          outcome: "succeeded",
          error: null,
          reason: null,
          retryAt: null,
        },
      ],
      args,
    );
    if (finished && !(finished instanceof Error) && finished.run.status === "succeeded") ran++;
  }
  return ran;
}
