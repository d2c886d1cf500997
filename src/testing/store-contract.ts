/**
 * The store contract suite: every Store implementation runs it (`storeContract("sqlite", factory)`),
 * and so can yours. It registers node:test suites; each test gets a fresh, opened store from
 * `factory` and disposes of it afterwards.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DuplicateJobError, JobNotFoundError, LeaseLostError } from "../core/errors.js";
import type { RunRecord } from "../core/jobs/job.js";
import { DEFAULT_JOB_POLICY } from "../core/jobs/policies.js";
import {
  type FinishAttemptResult,
  type Store,
  finishAttemptsOf,
  startAttemptsOf,
} from "../core/stores/store.js";
import { jobRecord, runRecord } from "./records.js";

export interface StoreUnderTest {
  store: Store;
  /** Closes the store and deletes what the test created (files, keys, schemas). */
  dispose(): Promise<void>;
}

export interface StoreContractOptions {
  /** Why the suite cannot run here (a service is down): every test is skipped with this reason. */
  skip?: string | false;
  /** Whether the store is shared between processes (`store.shared`): runs the lease-expiry tests. */
  shared: boolean;
  /** Whether the store honours conditional commits (`store.commitsIfUnchanged`): runs their tests. */
  commitsIfUnchanged?: boolean;
}

const LEASE = 5_000;
const LEASE_ARGS = { owner: "s1", leaseMs: LEASE };

/** Registers the contract tests for a store. `factory` returns a fresh store opened with a retention of 3 runs per job. */
export function storeContract(
  name: string,
  factory: () => Promise<StoreUnderTest>,
  options: StoreContractOptions,
): void {
  const test = (
    title: string,
    body: (store: Store) => Promise<void>,
    skip: string | false = options.skip ?? false,
  ): void => {
    it(title, { skip }, async () => {
      const subject = await factory();
      try {
        await body(subject.store);
      } finally {
        await subject.dispose();
      }
    });
  };

  describe(`store contract: ${name}`, () => {
    describe("jobs", () => {
      test("stores a job and reads it back unchanged", async (store) => {
        const job = jobRecord("a", { args: [1, "two", { three: [3] }], description: "d", nextRunAt: 5000 });
        const stored = await store.insertJob(job, { replace: false, now: 0 });
        assert.deepEqual(stored, job);
        assert.deepEqual(await store.getJob("a"), job);
        assert.equal(await store.getJob("missing"), null);
      });

      test("refuses a duplicate id with DuplicateJobError and changes nothing", async (store) => {
        await store.insertJob(jobRecord("a", { taskName: "first" }), { replace: false, now: 0 });
        await assert.rejects(
          store.insertJob(jobRecord("a", { taskName: "second" }), { replace: false, now: 1 }),
          DuplicateJobError,
        );
        assert.equal((await store.getJob("a"))?.taskName, "first");
      });

      test("replaces a job's definition but keeps its counters and history", async (store) => {
        await store.insertJob(jobRecord("a", { taskName: "first" }), { replace: false, now: 0 });
        const [claimed] = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 10 });
        await store.commitFires(
          [
            {
              jobId: "a",
              claimToken: claimed!.claim!.token,
              jobVersion: 1,
              nextRunAt: 2000,
              runs: [runRecord("a", 1000, { status: "missed", reason: "misfire" })],
            },
          ],
          { now: 1000, owner: "s1", leaseMs: LEASE },
        );
        const replaced = await store.insertJob(jobRecord("a", { taskName: "second", nextRunAt: 9000 }), {
          replace: true,
          now: 5,
        });
        assert.equal(replaced.taskName, "second");
        assert.equal(replaced.nextRunAt, 9000);
        assert.equal(replaced.missedCount, 1);
        assert.equal(replaced.version, 2);
        assert.equal((await store.listRuns({ jobId: "a" })).items.length, 1);
      });

      test("lists jobs by id with cursor pagination and filters", async (store) => {
        for (const id of ["c", "a", "e", "b", "d"]) {
          await store.insertJob(
            jobRecord(id, {
              taskName: id === "b" ? "other" : "task",
              paused: id === "d",
              description: id === "e" ? "Nightly Report" : null,
            }),
            {
              replace: false,
              now: 0,
            },
          );
        }
        const first = await store.listJobs({ limit: 2 });
        assert.deepEqual(
          first.items.map((j) => j.id),
          ["a", "b"],
        );
        assert.ok(first.nextCursor);
        const second = await store.listJobs({ limit: 2, cursor: first.nextCursor });
        assert.deepEqual(
          second.items.map((j) => j.id),
          ["c", "d"],
        );
        const third = await store.listJobs({ limit: 2, cursor: second.nextCursor! });
        assert.deepEqual(
          third.items.map((j) => j.id),
          ["e"],
        );
        assert.equal(third.nextCursor, null);
        assert.deepEqual(
          (await store.listJobs({ taskName: "other" })).items.map((j) => j.id),
          ["b"],
        );
        assert.deepEqual(
          (await store.listJobs({ status: ["paused"] })).items.map((j) => j.id),
          ["d"],
        );
        assert.deepEqual(
          (await store.listJobs({ search: "nightly" })).items.map((j) => j.id),
          ["e"],
        );
        assert.deepEqual(await store.countJobs(), {
          scheduled: 4,
          running: 0,
          paused: 1,
          completed: 0,
          failed: 0,
        });
      });

      test("updates a job, bumping its version; an unknown id is JobNotFoundError", async (store) => {
        await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
        const updated = await store.updateJob("a", { args: ["x"], paused: true }, 42);
        assert.deepEqual(updated.args, ["x"]);
        assert.equal(updated.paused, true);
        assert.equal(updated.version, 2);
        assert.equal(updated.updatedAt, 42);
        await assert.rejects(store.updateJob("nope", { paused: true }, 1), JobNotFoundError);
      });

      test("removes a job with its runs; removing an unknown id returns null", async (store) => {
        await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
        await store.insertRun(runRecord("a", 500, { origin: "manual" }), {
          now: 500,
          owner: "s1",
          leaseMs: LEASE,
        });
        assert.equal((await store.removeJob("a"))?.id, "a");
        assert.equal(await store.getJob("a"), null);
        assert.equal(await store.getRun(runRecord("a", 500).id), null);
        assert.equal(await store.removeJob("a"), null);
      });
    });

    describe("firing", () => {
      test("claims only due, unpaused, unclaimed jobs, earliest first", async (store) => {
        await store.insertJob(jobRecord("late", { nextRunAt: 3000 }), { replace: false, now: 0 });
        await store.insertJob(jobRecord("early", { nextRunAt: 1000 }), { replace: false, now: 0 });
        await store.insertJob(jobRecord("paused", { nextRunAt: 500, paused: true }), {
          replace: false,
          now: 0,
        });
        await store.insertJob(jobRecord("done", { nextRunAt: null }), { replace: false, now: 0 });
        await store.insertJob(jobRecord("mid", { nextRunAt: 2000 }), { replace: false, now: 0 });
        assert.equal(await store.nextWakeAt(), 1000);
        const claimed = await store.claimDueJobs({ now: 2000, owner: "s1", leaseMs: LEASE, limit: 10 });
        assert.deepEqual(
          claimed.map((j) => j.id),
          ["early", "mid"],
        );
        for (const job of claimed) {
          assert.equal(job.claim?.owner, "s1");
          assert.equal(job.claim?.expiresAt, 2000 + LEASE);
        }
        assert.deepEqual(await store.claimDueJobs({ now: 2000, owner: "s2", leaseMs: LEASE, limit: 10 }), []);
      });

      test("never gives the same job to two concurrent claimers", async (store) => {
        for (let i = 0; i < 50; i++)
          await store.insertJob(jobRecord(`j${i}`, { nextRunAt: 1000 }), { replace: false, now: 0 });
        const results = await Promise.all(
          ["s1", "s2", "s3", "s4"].map((owner) =>
            store.claimDueJobs({ now: 1000, owner, leaseMs: LEASE, limit: 20 }),
          ),
        );
        const ids = results.flat().map((j) => j.id);
        assert.equal(ids.length, 50);
        assert.equal(new Set(ids).size, 50);
      });

      test("commits a fire: inserts the runs, advances nextRunAt, updates counters, clears the claim", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const [job] = await store.claimDueJobs({ now: 1100, owner: "s1", leaseMs: LEASE, limit: 10 });
        const [result] = await store.commitFires(
          [
            {
              jobId: "a",
              claimToken: job!.claim!.token,
              jobVersion: job!.version,
              nextRunAt: 3000,
              runs: [
                runRecord("a", 1000, { status: "missed", reason: "misfire" }),
                runRecord("a", 2000, { status: "skipped", reason: "overlap" }),
                runRecord("a", 1050),
              ],
            },
          ],
          { now: 1100, owner: "s1", leaseMs: LEASE },
        );
        assert.equal(result!.status, "ok");
        assert.equal(result!.inserted.length, 3);
        const pending = result!.inserted.find((r) => r.status === "pending")!;
        assert.equal(pending.lease?.owner, "s1");
        assert.equal(pending.lease?.expiresAt, 1100 + LEASE);
        const after = (await store.getJob("a"))!;
        assert.equal(after.nextRunAt, 3000);
        assert.equal(after.claim, null);
        assert.equal(after.activeRuns, 1);
        assert.equal(after.missedCount, 1);
        assert.equal(after.skippedCount, 1);
        assert.equal(await store.nextWakeAt(), 3000);
      });

      test("inserts each occurrence at most once, whoever commits it", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const fire = async (owner: string, now: number): Promise<RunRecord[]> => {
          const [job] = await store.claimDueJobs({ now, owner, leaseMs: LEASE, limit: 1 });
          const [result] = await store.commitFires(
            [
              {
                jobId: "a",
                claimToken: job!.claim!.token,
                jobVersion: job!.version,
                nextRunAt: 1000,
                runs: [runRecord("a", 1000)],
              },
            ],
            { now, owner, leaseMs: LEASE },
          );
          return result!.inserted;
        };
        assert.equal((await fire("s1", 1000)).length, 1);
        assert.equal((await fire("s2", 1001)).length, 0);
        assert.equal((await store.getJob("a"))!.activeRuns, 1);
      });

      test("refuses a commit whose claim expired and was taken by another scheduler", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const [stale] = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 1 });
        // Returned records may be the store's own objects: read what you need at once.
        const staleToken = stale!.claim!.token;
        assert.equal(await store.nextWakeAt(), 1000 + LEASE);
        const [fresh] = await store.claimDueJobs({
          now: 1000 + LEASE,
          owner: "s2",
          leaseMs: LEASE,
          limit: 1,
        });
        assert.equal(fresh?.id, "a");
        const freshToken = fresh.claim!.token;
        assert.ok(freshToken > staleToken);
        const [late] = await store.commitFires(
          [
            {
              jobId: "a",
              claimToken: staleToken,
              jobVersion: 1,
              nextRunAt: 2000,
              runs: [runRecord("a", 1000)],
            },
          ],
          { now: 1000 + LEASE, owner: "s1", leaseMs: LEASE },
        );
        assert.equal(late!.status, "lease-lost");
        assert.equal(await store.getRun(runRecord("a", 1000).id), null);
        const [ok] = await store.commitFires(
          [
            {
              jobId: "a",
              claimToken: freshToken,
              jobVersion: 1,
              nextRunAt: 2000,
              runs: [runRecord("a", 1000)],
            },
          ],
          { now: 1000 + LEASE, owner: "s2", leaseMs: LEASE },
        );
        assert.equal(ok!.status, "ok");
      });

      test("claims again, once they expire, the claimed jobs that were neither committed nor changed", async (store) => {
        const ids = ["a", "b", "c", "d", "e", "f"];
        for (const id of ids) {
          await store.insertJob(jobRecord(id, { nextRunAt: 1000 }), { replace: false, now: 0 });
        }
        const claimed = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 10 });
        assert.deepEqual(claimed.map((job) => job.id).sort(), ids);
        const tokenOfC = claimed.find((job) => job.id === "c")!.claim!.token;
        await store.updateJob("b", { paused: true }, 1001);
        await store.updateJob("e", { paused: true }, 1001);
        const [committed] = await store.commitFires(
          [
            {
              jobId: "c",
              claimToken: tokenOfC,
              jobVersion: 1,
              nextRunAt: null,
              runs: [runRecord("c", 1000)],
            },
          ],
          { now: 1001, owner: "s1", leaseMs: LEASE },
        );
        assert.equal(committed!.status, "ok");
        assert.deepEqual(await store.claimDueJobs({ now: 1002, owner: "s2", leaseMs: LEASE, limit: 10 }), []);
        const again = await store.claimDueJobs({ now: 1000 + LEASE, owner: "s2", leaseMs: LEASE, limit: 10 });
        assert.deepEqual(again.map((job) => job.id).sort(), ["a", "d", "f"]);
        const late = await store.claimDueJobs({
          now: 1000 + 2 * LEASE,
          owner: "s3",
          leaseMs: LEASE,
          limit: 10,
        });
        assert.deepEqual(late.map((job) => job.id).sort(), ["a", "d", "f"]);
        // Committed in an order unlike the claim's.
        const byId = new Map(late.map((job) => [job.id, job]));
        const results = await store.commitFires(
          ["d", "a", "f"]
            .map((id) => byId.get(id)!)
            .map((job) => ({
              jobId: job.id,
              claimToken: job.claim!.token,
              jobVersion: 1,
              nextRunAt: null,
              runs: [runRecord(job.id, 1000)],
            })),
          { now: 1000 + 2 * LEASE, owner: "s3", leaseMs: LEASE },
        );
        assert.deepEqual(
          results.map((result) => result.status),
          ["ok", "ok", "ok"],
        );
        assert.deepEqual(
          await store.claimDueJobs({ now: 1000 + 4 * LEASE, owner: "s4", leaseMs: LEASE, limit: 10 }),
          [],
        );
        for (const id of ["b", "e"]) assert.equal((await store.getJob(id))!.paused, true);
      });

      test("refuses a commit for a job removed and added again since the claim", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        await store.insertJob(jobRecord("b", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const claimed = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 2 });
        assert.deepEqual(claimed.map((job) => job.id).sort(), ["a", "b"]);
        const tokens = new Map(claimed.map((job) => [job.id, job.claim!.token]));
        await store.removeJob("a");
        await store.insertJob(jobRecord("a", { nextRunAt: 5000 }), { replace: false, now: 1001 });
        const results = await store.commitFires(
          ["a", "b"].map((id) => ({
            jobId: id,
            claimToken: tokens.get(id)!,
            jobVersion: 1,
            nextRunAt: 2000,
            runs: [runRecord(id, 1000)],
          })),
          { now: 1001, owner: "s1", leaseMs: LEASE },
        );
        assert.deepEqual(
          results.map((result) => result.status),
          ["lease-lost", "ok"],
        );
        assert.equal(await store.getRun(runRecord("a", 1000).id), null);
        const again = (await store.getJob("a"))!;
        assert.equal(again.nextRunAt, 5000);
        assert.equal(again.activeRuns, 0);
      });

      test("records as cancelled (job-paused) the live runs of a commit for a job paused since its claim", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const [job] = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 1 });
        await store.updateJob("a", { paused: true }, 1000);
        const [result] = await store.commitFires(
          [
            {
              jobId: "a",
              claimToken: job!.claim!.token,
              jobVersion: job!.version,
              nextRunAt: 2000,
              runs: [
                runRecord("a", 500, { status: "missed", reason: "misfire", endedAt: 1000 }),
                runRecord("a", 1000),
              ],
            },
          ],
          { now: 1000, owner: "s1", leaseMs: LEASE },
        );
        assert.equal(result!.status, "ok");
        const summary = (r: RunRecord | null): string =>
          r
            ? `${r.status}/${r.reason} ended ${r.endedAt} lease ${r.lease === null ? "none" : "held"}`
            : "none";
        assert.deepEqual(result!.inserted.map(summary), [
          "missed/misfire ended 1000 lease none",
          "cancelled/job-paused ended 1000 lease none",
        ]);
        assert.equal(
          summary(await store.getRun(runRecord("a", 1000).id)),
          "cancelled/job-paused ended 1000 lease none",
        );
        const after = (await store.getJob("a"))!;
        assert.equal(after.paused, true);
        assert.equal(after.activeRuns, 0);
        assert.equal(after.claim, null);
        assert.deepEqual(
          await store.claimRunsForDispatch({ now: 1000 + 2 * LEASE, owner: "s2", leaseMs: LEASE, limit: 10 }),
          [],
        );
      });

      test("says job-gone when the job was removed between claim and commit", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const [job] = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 1 });
        await store.removeJob("a");
        const [result] = await store.commitFires(
          [
            {
              jobId: "a",
              claimToken: job!.claim!.token,
              jobVersion: 1,
              nextRunAt: 2000,
              runs: [runRecord("a", 1000)],
            },
          ],
          { now: 1000, owner: "s1", leaseMs: LEASE },
        );
        assert.equal(result!.status, "job-gone");
        assert.equal(await store.getRun(runRecord("a", 1000).id), null);
      });

      test("says whether it commits conditionally as the suite was told", (store) => {
        assert.equal(store.commitsIfUnchanged ?? false, options.commitsIfUnchanged ?? false);
        return Promise.resolve();
      });

      const conditional =
        options.skip || (options.commitsIfUnchanged ? false : "the store does not commit conditionally");

      test(
        "writes a conditional commit when the job is as it was planned from",
        async (store) => {
          await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
          const [job] = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 1 });
          const [result] = await store.commitFires(
            [
              {
                jobId: "a",
                claimToken: job!.claim!.token,
                jobVersion: job!.version,
                nextRunAt: 2000,
                runs: [runRecord("a", 1000)],
                plannedActiveRuns: 0,
              },
            ],
            { now: 1000, owner: "s1", leaseMs: LEASE },
          );
          assert.equal(result!.status, "ok");
          assert.equal((await store.getRun(runRecord("a", 1000).id))?.status, "pending");
          const after = (await store.getJob("a"))!;
          assert.equal(after.nextRunAt, 2000);
          assert.equal(after.claim, null);
        },
        conditional,
      );

      test(
        "refuses a conditional commit for a job changed, paused or run since, writes nothing and releases its claim",
        async (store) => {
          for (const id of ["changed", "paused", "ran", "same"])
            await store.insertJob(jobRecord(id, { nextRunAt: 1000 }), { replace: false, now: 0 });
          const claimed = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 10 });
          assert.equal(claimed.length, 4);
          // Planned now: the records a store returns may be its own, which change.
          const commits = claimed.map((job) => ({
            jobId: job.id,
            claimToken: job.claim!.token,
            jobVersion: job.version,
            nextRunAt: 2000,
            runs: [runRecord(job.id, 1000)],
            plannedActiveRuns: job.activeRuns,
          }));
          await store.updateJob("changed", { description: "edited" }, 1000);
          await store.updateJob("paused", { paused: true }, 1000);
          await store.insertRun(runRecord("ran", 500, { origin: "manual" }), { now: 1000, ...LEASE_ARGS });
          const results = await store.commitFires(commits, { now: 1000, owner: "s1", leaseMs: LEASE });
          assert.deepEqual(Object.fromEntries(results.map((r) => [r.jobId, r.status])), {
            changed: "changed",
            paused: "changed",
            ran: "changed",
            same: "ok",
          });
          for (const id of ["changed", "paused", "ran"]) {
            assert.equal(await store.getRun(runRecord(id, 1000).id), null, id);
            const job = (await store.getJob(id))!;
            assert.equal(job.nextRunAt, 1000, id);
            assert.equal(job.claim, null, id);
          }
          // Released: claimable again at once, but for the paused one.
          const again = await store.claimDueJobs({ now: 1001, owner: "s2", leaseMs: LEASE, limit: 10 });
          assert.deepEqual(again.map((job) => job.id).sort(), ["changed", "ran"]);
        },
        conditional,
      );

      test("keeps a next run time set by a user while the job was being fired", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const [job] = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 1 });
        const { version } = job!;
        await store.updateJob("a", { nextRunAt: 50_000 }, 1000);
        await store.commitFires(
          [
            {
              jobId: "a",
              claimToken: job!.claim!.token,
              jobVersion: version,
              nextRunAt: 2000,
              runs: [runRecord("a", 1000)],
            },
          ],
          { now: 1000, owner: "s1", leaseMs: LEASE },
        );
        assert.equal((await store.getJob("a"))!.nextRunAt, 50_000);
        assert.ok(await store.getRun(runRecord("a", 1000).id));
      });

      test("releases a stopping scheduler's claims", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 1 });
        await store.releaseClaims("s1");
        assert.equal(
          (await store.claimDueJobs({ now: 1000, owner: "s2", leaseMs: LEASE, limit: 1 })).length,
          1,
        );
      });
    });

    describe("runs", () => {
      const firePending = async (
        store: Store,
        jobId = "a",
        at = 1000,
        overrides: Partial<RunRecord> = {},
      ): Promise<RunRecord> => {
        const [job] = await store.claimDueJobs({ now: at, owner: "s1", leaseMs: LEASE, limit: 1 });
        const [result] = await store.commitFires(
          [
            {
              jobId,
              claimToken: job!.claim!.token,
              jobVersion: job!.version,
              nextRunAt: at + 1000,
              runs: [runRecord(jobId, at, overrides)],
            },
          ],
          { now: at, owner: "s1", leaseMs: LEASE },
        );
        return result!.inserted[0]!;
      };

      /** Overlap `queue`: job "a" fires a pending run at 1000 with two waiting behind it (2000, 3000). */
      const fireQueued = async (store: Store): Promise<RunRecord> => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const [job] = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 1 });
        const [result] = await store.commitFires(
          [
            {
              jobId: "a",
              claimToken: job!.claim!.token,
              jobVersion: 1,
              nextRunAt: 4000,
              runs: [
                runRecord("a", 1000),
                runRecord("a", 2000, { status: "waiting" }),
                runRecord("a", 3000, { status: "waiting" }),
              ],
            },
          ],
          { now: 1000, owner: "s1", leaseMs: LEASE },
        );
        return result!.inserted[0]!;
      };

      test("records a successful attempt and the job's last-run fields", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const pending = await firePending(store);
        const running = await store.startAttempt(pending.id, {
          now: 1010,
          owner: "w1",
          leaseMs: LEASE,
          token: pending.lease!.token,
        });
        assert.equal(running?.status, "running");
        assert.equal(running?.startedAt, 1010);
        assert.equal(running?.attempts.length, 1);
        assert.equal((await store.getJob("a"))!.lastRunStartedAt, 1010);
        assert.equal((await store.countJobs()).running, 1);
        const result = await store.finishAttempt(pending.id, {
          now: 1060,
          owner: "w1",
          token: running.lease!.token,
          outcome: "succeeded",
          error: null,
          reason: null,
          retryAt: null,
          leaseMs: LEASE,
        });
        assert.equal(result?.run.status, "succeeded");
        assert.equal(result?.run.durationMs, 50);
        assert.equal(result?.run.endedAt, 1060);
        assert.deepEqual(
          result?.run.attempts.map((a) => [a.attempt, a.outcome, a.durationMs, a.worker]),
          [[1, "succeeded", 50, "w1"]],
        );
        const job = (await store.getJob("a"))!;
        assert.equal(job.activeRuns, 0);
        assert.equal(job.runCount, 1);
        assert.equal(job.lastOutcome, "succeeded");
        assert.equal(job.lastDurationMs, 50);
        assert.equal(job.lastRunEndedAt, 1060);
        assert.equal(job.lastRunId, pending.id);
        assert.equal((await store.listJobs()).items[0]?.lastRunId, pending.id, "listed too");
      });

      test("refuses to start a pending run with a stale token, and to finish with someone else's lease", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const pending = await firePending(store);
        await assert.rejects(
          store.startAttempt(pending.id, {
            now: 1010,
            owner: "w1",
            leaseMs: LEASE,
            token: pending.lease!.token - 1,
          }),
          LeaseLostError,
        );
        const running = await store.startAttempt(pending.id, {
          now: 1010,
          owner: "w1",
          leaseMs: LEASE,
          token: pending.lease!.token,
        });
        assert.equal(
          await store.startAttempt(pending.id, { now: 1011, owner: "w2", leaseMs: LEASE, token: null }),
          null,
        );
        await assert.rejects(
          store.finishAttempt(pending.id, {
            now: 1020,
            owner: "w2",
            token: running!.lease!.token,
            outcome: "succeeded",
            error: null,
            reason: null,
            retryAt: null,
            leaseMs: LEASE,
          }),
          LeaseLostError,
        );
      });

      test("puts a failed attempt with a retry time into retrying, and hands it back when due", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const pending = await firePending(store, "a", 1000, {
          retry: { ...DEFAULT_JOB_POLICY.retry, attempts: 2 },
        });
        const running = await store.startAttempt(pending.id, {
          now: 1000,
          owner: "s1",
          leaseMs: LEASE,
          token: pending.lease!.token,
        });
        const error = { name: "Error", message: "boom" };
        const first = await store.finishAttempt(pending.id, {
          now: 1100,
          owner: "s1",
          token: running!.lease!.token,
          outcome: "failed",
          error,
          reason: "error",
          retryAt: 1600,
          leaseMs: LEASE,
        });
        assert.equal(first?.run.status, "retrying");
        assert.equal(first?.run.nextAttemptAt, 1600);
        const waiting = (await store.getJob("a"))!;
        assert.equal(waiting.activeRuns, 1);
        assert.equal(waiting.runCount, 0);
        assert.equal(await store.nextWakeAt(), 1600);
        assert.deepEqual(
          await store.claimRunsForDispatch({ now: 1599, owner: "s1", leaseMs: LEASE, limit: 10 }),
          [],
        );
        const [again] = await store.claimRunsForDispatch({
          now: 1600,
          owner: "s1",
          leaseMs: LEASE,
          limit: 10,
        });
        assert.equal(again?.id, pending.id);
        assert.equal(again?.status, "pending");
        const second = await store.startAttempt(pending.id, {
          now: 1600,
          owner: "s1",
          leaseMs: LEASE,
          token: again.lease!.token,
        });
        assert.equal(second?.attempts.length, 2);
        const done = await store.finishAttempt(pending.id, {
          now: 1700,
          owner: "s1",
          token: second.lease!.token,
          outcome: "failed",
          error,
          reason: "error",
          retryAt: null,
          leaseMs: LEASE,
        });
        assert.equal(done?.run.status, "failed");
        assert.equal(done?.run.startedAt, 1000);
        const job = (await store.getJob("a"))!;
        assert.deepEqual(job.lastError, error);
        assert.equal(job.failureCount, 1);
        assert.equal(job.runCount, 1);
        assert.equal(job.lastOutcome, "failed");
      });

      test("starts the oldest waiting run when the running one ends", async (store) => {
        const pending = await fireQueued(store);
        assert.equal((await store.getJob("a"))!.activeRuns, 3);
        const running = await store.startAttempt(pending.id, {
          now: 1000,
          owner: "s1",
          leaseMs: LEASE,
          token: pending.lease!.token,
        });
        const done = await store.finishAttempt(pending.id, {
          now: 1500,
          owner: "s1",
          token: running!.lease!.token,
          outcome: "succeeded",
          error: null,
          reason: null,
          retryAt: null,
          leaseMs: LEASE,
        });
        assert.equal(done?.promoted?.id, runRecord("a", 2000).id);
        assert.equal(done?.promoted?.status, "pending");
        assert.equal(done?.promoted?.lease?.owner, "s1");
        assert.equal((await store.getRun(runRecord("a", 3000).id))?.status, "waiting");
      });

      test("starts the oldest waiting run when the live run ahead of it is cancelled", async (store) => {
        const pending = await fireQueued(store);
        // Cancelling a waiting run behind a live one promotes nothing.
        const third = await store.cancelRun(runRecord("a", 3000).id, {
          now: 1100,
          reason: "user",
          ...LEASE_ARGS,
        });
        assert.equal(third?.run.status, "cancelled");
        assert.equal(third?.promoted, null);
        // Cancelling the pending run ahead lets the next waiting one start, leased to the caller.
        const first = await store.cancelRun(pending.id, {
          now: 1200,
          reason: "user",
          owner: "s2",
          leaseMs: LEASE,
        });
        assert.equal(first?.run.status, "cancelled");
        assert.equal(first?.promoted?.id, runRecord("a", 2000).id);
        assert.equal(first?.promoted?.status, "pending");
        assert.equal(first?.promoted?.lease?.owner, "s2");
        assert.equal((await store.getRun(runRecord("a", 2000).id))?.status, "pending");
        assert.equal((await store.getJob("a"))!.activeRuns, 1);
      });

      test("starts and finishes runs in batches, each item on its own (lost leases as values)", async (store) => {
        const ids = ["a", "b", "c"];
        const runs: RunRecord[] = [];
        for (const id of ids) {
          await store.insertJob(jobRecord(id), { replace: false, now: 0 });
          runs.push(
            (await store.insertRun(runRecord(id, 100, { origin: "manual" }), {
              now: 100,
              owner: "s1",
              leaseMs: LEASE,
            })) as RunRecord,
          );
        }
        const tokens = runs.map((run, i) => (i === 1 ? run.lease!.token - 1 : run.lease!.token));
        const started = await startAttemptsOf(
          store,
          runs.map((run, i) => ({ runId: run.id, token: tokens[i]! })),
          { now: 200, owner: "s1", leaseMs: LEASE },
        );
        assert.equal((started[0] as RunRecord).status, "running");
        assert.ok(started[1] instanceof LeaseLostError);
        assert.equal((started[2] as RunRecord).status, "running");
        const leases = [0, 2].map((i) => (started[i] as RunRecord).lease!.token);
        const finished = await finishAttemptsOf(
          store,
          [
            {
              runId: runs[0]!.id,
              token: leases[0]!,
              outcome: "succeeded",
              error: null,
              reason: null,
              retryAt: null,
            },
            {
              runId: runs[2]!.id,
              token: leases[1]! + 1000,
              outcome: "succeeded",
              error: null,
              reason: null,
              retryAt: null,
            },
          ],
          { now: 300, owner: "s1", leaseMs: LEASE },
        );
        assert.equal((finished[0] as FinishAttemptResult).run.status, "succeeded");
        assert.ok(finished[1] instanceof LeaseLostError);
        assert.equal((await store.getRun(runs[1]!.id))?.status, "pending");
        assert.equal((await store.getRun(runs[2]!.id))?.status, "running");
      });

      test("a batch item's record is a hint: a copy or a removed job's run changes only what is stored", async (store) => {
        await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
        await store.insertJob(jobRecord("b"), { replace: false, now: 0 });
        const args = { now: 100, owner: "s1", leaseMs: LEASE };
        const a = (await store.insertRun(runRecord("a", 100, { origin: "manual" }), args)) as RunRecord;
        const b = (await store.insertRun(runRecord("b", 100, { origin: "manual" }), args)) as RunRecord;
        // A copy of the record (as getRun hands out): the stored run starts, the copy stays as it was.
        const copy = (await store.getRun(a.id))!;
        const [started] = await startAttemptsOf(
          store,
          [{ runId: a.id, token: a.lease!.token, record: copy }],
          {
            ...args,
            now: 200,
          },
        );
        assert.equal((started as RunRecord).status, "running");
        assert.equal(copy.status, "pending");
        assert.equal((await store.getRun(a.id))?.status, "running");
        const [finished] = await finishAttemptsOf(
          store,
          [
            {
              runId: a.id,
              record: copy,
              token: (started as RunRecord).lease!.token,
              outcome: "succeeded",
              error: null,
              reason: null,
              retryAt: null,
            },
          ],
          { ...args, now: 300 },
        );
        assert.equal((finished as FinishAttemptResult).run.status, "succeeded");
        assert.equal((await store.getJob("a"))?.runCount, 1);
        // The record of a run whose job was removed, then added again: the run is gone.
        const [startedB] = await startAttemptsOf(
          store,
          [{ runId: b.id, token: b.lease!.token, record: b }],
          args,
        );
        const held = startedB as RunRecord;
        const token = held.lease!.token;
        await store.removeJob("b");
        await store.insertJob(jobRecord("b"), { replace: false, now: 400 });
        const [gone] = await finishAttemptsOf(
          store,
          [
            {
              runId: b.id,
              record: held,
              token,
              outcome: "succeeded",
              error: null,
              reason: null,
              retryAt: null,
            },
          ],
          { ...args, now: 500 },
        );
        assert.equal(gone, null);
        assert.equal(await store.getRun(b.id), null);
        assert.equal((await store.getJob("b"))?.runCount, 0);
      });

      test("a first start from the record the caller holds answers what the store holds", async (store) => {
        await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
        const args = { now: 100, owner: "s1", leaseMs: LEASE };
        const run = (await store.insertRun(runRecord("a", 100, { origin: "manual" }), args)) as RunRecord;
        const started = await store.startAttempt(run.id, {
          ...args,
          now: 200,
          token: run.lease!.token,
          record: run,
        });
        assert.equal(started?.status, "running");
        // (Compared as plain data: a store may hand out its own lease objects.)
        assert.deepEqual(structuredClone(started), structuredClone(await store.getRun(run.id)));
        assert.equal((await store.getJob("a"))?.lastRunStartedAt, 200);
        // The same record again: the run has started since, so nothing starts and nothing changes.
        const again = await store.startAttempt(run.id, {
          ...args,
          now: 300,
          token: run.lease!.token,
          record: run,
        });
        assert.equal(again, null);
        assert.deepEqual(structuredClone(await store.getRun(run.id)), structuredClone(started));
      });

      test("finds a run by its exact id only", async (store) => {
        await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
        const run = runRecord("a", 1000, { origin: "manual" });
        await store.insertRun(run, { now: 1000, owner: "s1", leaseMs: LEASE });
        assert.equal((await store.getRun(run.id))?.id, run.id);
        // The same instant written another way names no run.
        assert.ok(run.id.endsWith(".000Z"));
        assert.equal(await store.getRun(run.id.replace(".000Z", "Z")), null);
        assert.equal(await store.getRun("a"), null);
        assert.equal(await store.getRun("nobody@1970-01-01T00:00:01.000Z"), null);
      });

      test("records a manual run once per id and counts it as live", async (store) => {
        await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
        const run = runRecord("a", 777, { origin: "manual" });
        const inserted = await store.insertRun(run, { now: 777, owner: "s1", leaseMs: LEASE });
        assert.ok(inserted);
        assert.equal(inserted.status, "pending");
        assert.equal(await store.insertRun(run, { now: 778, owner: "s1", leaseMs: LEASE }), false);
        assert.equal(
          await store.insertRun(runRecord("nope", 777), { now: 778, owner: "s1", leaseMs: LEASE }),
          null,
        );
        assert.equal((await store.getJob("a"))!.activeRuns, 1);
      });

      test("marks runs handed to a queue as dispatched, and starts them without a token", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const pending = await firePending(store);
        assert.deepEqual(await store.markDispatched([pending.id, "nope@x"], { now: 1000, owner: "s1" }), [
          "nope@x",
        ]);
        assert.equal((await store.getRun(pending.id))?.status, "dispatched");
        const running = await store.startAttempt(pending.id, {
          now: 1200,
          owner: "w9",
          leaseMs: LEASE,
          token: null,
        });
        assert.equal(running?.worker, "w9");
      });

      test("cancels a live run that is not executing, and refuses to cancel one that is", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const pending = await firePending(store);
        const cancelled = await store.cancelRun(pending.id, { now: 1001, reason: "user", ...LEASE_ARGS });
        assert.equal(cancelled?.run.status, "cancelled");
        assert.equal(cancelled?.run.reason, "user");
        assert.equal(cancelled?.promoted, null);
        assert.equal((await store.getJob("a"))!.activeRuns, 0);
        await store.insertRun(runRecord("a", 5000, { origin: "manual" }), {
          now: 5000,
          owner: "s1",
          leaseMs: LEASE,
        });
        const manual = (await store.getRun(runRecord("a", 5000).id))!;
        await store.startAttempt(manual.id, {
          now: 5000,
          owner: "s1",
          leaseMs: LEASE,
          token: manual.lease!.token,
        });
        assert.equal(await store.cancelRun(manual.id, { now: 5001, reason: "user", ...LEASE_ARGS }), null);
      });

      test("lists runs newest first with filters and cursor pagination", async (store) => {
        await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
        await store.insertJob(jobRecord("b"), { replace: false, now: 0 });
        for (const at of [100, 300, 200])
          await store.insertRun(runRecord("a", at, { origin: "manual" }), {
            now: at,
            owner: "s1",
            leaseMs: LEASE,
          });
        await store.insertRun(runRecord("b", 250, { origin: "manual" }), {
          now: 250,
          owner: "s1",
          leaseMs: LEASE,
        });
        const all = await store.listRuns();
        assert.deepEqual(
          all.items.map((r) => r.scheduledAt),
          [300, 250, 200, 100],
        );
        const page1 = await store.listRuns({ jobId: "a", limit: 2 });
        assert.deepEqual(
          page1.items.map((r) => r.scheduledAt),
          [300, 200],
        );
        const page2 = await store.listRuns({ jobId: "a", limit: 2, cursor: page1.nextCursor! });
        assert.deepEqual(
          page2.items.map((r) => r.scheduledAt),
          [100],
        );
        assert.equal(page2.nextCursor, null);
        assert.deepEqual(
          (await store.listRuns({ from: 150, to: 300 })).items.map((r) => r.scheduledAt),
          [250, 200],
        );
        assert.deepEqual((await store.listRuns({ status: ["succeeded"] })).items, []);
      });

      test("keeps only the newest final runs per job (retention 3)", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        for (let i = 0; i < 6; i++) {
          const at = 1000 * (i + 1);
          const [job] = await store.claimDueJobs({ now: at, owner: "s1", leaseMs: LEASE, limit: 1 });
          await store.commitFires(
            [
              {
                jobId: "a",
                claimToken: job!.claim!.token,
                jobVersion: job!.version,
                nextRunAt: at + 1000,
                runs: [runRecord("a", at, { status: "missed", reason: "misfire" })],
              },
            ],
            { now: at, owner: "s1", leaseMs: LEASE },
          );
        }
        const runs = await store.listRuns({ jobId: "a" });
        assert.deepEqual(
          runs.items.map((r) => r.scheduledAt),
          [6000, 5000, 4000],
        );
        assert.equal((await store.getJob("a"))!.missedCount, 6);
      });

      test("prunes final runs older than the retention age, never live ones", async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const [job] = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 1 });
        await store.commitFires(
          [
            {
              jobId: "a",
              claimToken: job!.claim!.token,
              jobVersion: 1,
              nextRunAt: 9000,
              runs: [runRecord("a", 900, { status: "missed", reason: "misfire" }), runRecord("a", 1000)],
            },
          ],
          { now: 1000, owner: "s1", leaseMs: LEASE },
        );
        const deleted = await store.pruneRuns({ now: 1000 + 31 * 86_400_000 });
        assert.equal(deleted, 1);
        assert.deepEqual(
          (await store.listRuns({ jobId: "a" })).items.map((r) => r.scheduledAt),
          [1000],
        );
      });
    });

    describe("leases of live runs in shared stores", () => {
      /** Job `a`, claimed by s1 at 1000 and fired with `run`: the pending run s1 holds. */
      async function pendingOfS1(store: Store, run: RunRecord): Promise<RunRecord> {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const [job] = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 1 });
        const [result] = await store.commitFires(
          [{ jobId: "a", claimToken: job!.claim!.token, jobVersion: 1, nextRunAt: 9000, runs: [run] }],
          { now: 1000, owner: "s1", leaseMs: LEASE },
        );
        return result!.inserted[0]!;
      }
      /** What s2 claims for dispatch once s1's leases, taken at 1000, have expired. */
      const takenOverByS2 = (store: Store): Promise<RunRecord[]> =>
        store.claimRunsForDispatch({ now: 1000 + LEASE, owner: "s2", leaseMs: LEASE, limit: 10 });
      const sharedTest = (title: string, body: (store: Store) => Promise<void>): void =>
        test(
          title,
          body,
          options.skip || (options.shared ? false : "only shared stores expire the leases of live runs"),
        );
      sharedTest(
        "hands a run whose executor died to another process, closing its attempt as interrupted",
        async (store) => {
          const pending = await pendingOfS1(
            store,
            runRecord("a", 1000, { retry: { ...DEFAULT_JOB_POLICY.retry, attempts: 2 } }),
          );
          await store.startAttempt(pending.id, {
            now: 1000,
            owner: "s1",
            leaseMs: LEASE,
            token: pending.lease!.token,
          });
          assert.deepEqual(
            await store.claimRunsForDispatch({
              now: 1000 + LEASE - 1,
              owner: "s2",
              leaseMs: LEASE,
              limit: 10,
            }),
            [],
          );
          assert.deepEqual(
            await store.claimRunsForDispatch({ now: 1000 + LEASE, owner: "s1", leaseMs: LEASE, limit: 10 }),
            [],
          );
          const [taken] = await takenOverByS2(store);
          assert.equal(taken?.id, pending.id);
          assert.equal(taken?.status, "pending");
          assert.equal(taken?.lease?.owner, "s2");
          assert.equal(taken?.attempts[0]?.outcome, "interrupted");
        },
      );

      sharedTest(
        "a start from a record whose pending run another process took over is refused, as without it",
        async (store) => {
          const pending = await pendingOfS1(store, runRecord("a", 1000));
          // s1 never started it; its lease expired and s2 took the run over, unstarted, with a new token.
          const [taken] = await takenOverByS2(store);
          assert.equal(taken?.id, pending.id);
          assert.notEqual(taken?.lease?.token, pending.lease!.token);
          await assert.rejects(
            store.startAttempt(pending.id, {
              now: 1000 + LEASE,
              owner: "s1",
              leaseMs: LEASE,
              token: pending.lease!.token,
              record: pending,
            }),
            LeaseLostError,
          );
          const stored = await store.getRun(pending.id);
          assert.equal(stored?.status, "pending");
          assert.equal(stored?.lease?.owner, "s2");
          assert.equal(stored?.attempts.length, 0);
        },
      );

      sharedTest(
        "finishes a run as failed (interrupted) when its dead executor used the last attempt",
        async (store) => {
          const pending = await pendingOfS1(store, runRecord("a", 1000));
          await store.startAttempt(pending.id, {
            now: 1000,
            owner: "s1",
            leaseMs: LEASE,
            token: pending.lease!.token,
          });
          assert.deepEqual(await takenOverByS2(store), []);
          const run = await store.getRun(pending.id);
          assert.equal(run?.status, "failed");
          assert.equal(run?.reason, "interrupted");
          assert.equal((await store.getJob("a"))!.activeRuns, 0);
        },
      );

      sharedTest("re-dispatches a pending run whose dispatcher died", async (store) => {
        await pendingOfS1(store, runRecord("a", 1000));
        assert.equal(await store.nextWakeAt(), 1000 + LEASE);
        const [taken] = await takenOverByS2(store);
        assert.equal(taken?.lease?.owner, "s2");
        assert.equal(taken?.attempts.length, 0);
      });

      sharedTest("renews the leases its owner holds and reports the ones it lost", async (store) => {
        await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
        const run = (await store.insertRun(runRecord("a", 10, { origin: "manual" }), {
          now: 10,
          owner: "s1",
          leaseMs: LEASE,
        })) as RunRecord;
        assert.deepEqual(
          await store.renewRunLeases([run.id], { now: 3000, owner: "s1", leaseMs: LEASE }),
          [],
        );
        assert.deepEqual(
          await store.claimRunsForDispatch({ now: 10 + LEASE, owner: "s2", leaseMs: LEASE, limit: 10 }),
          [],
        );
        assert.deepEqual(await store.renewRunLeases([run.id], { now: 3000, owner: "s2", leaseMs: LEASE }), [
          run.id,
        ]);
      });
    });
  });
}
