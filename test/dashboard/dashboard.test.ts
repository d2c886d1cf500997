/**
 * The dashboard in a real browser: Debian's Chromium (through playwright-core) against a real
 * `cronq start` on a free local port, with its own SQLite file. One browser and one server for the
 * whole file (the machine is shared), a fresh browser context per scenario.
 *
 * No timing assertions: every wait is for a condition (playwright's auto-waiting locators).
 * Screenshots of each screen land in test-results/dashboard/.
 *
 * Without Chromium the suite is skipped with the reason (`apt-get install chromium`); with CI=true
 * it fails instead.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Cron } from "croner";
import type { Browser, Locator, Page } from "playwright-core";
import {
  type Cronq,
  FULL_TOKEN,
  READ_TOKEN,
  buildDashboard,
  chromiumMissing,
  launchBrowser,
  openPage,
  screenshot,
  signIn,
  startCronq,
} from "./harness.js";

const missing = chromiumMissing();

if (missing !== null && process.env.CI === "true") {
  it("runs the dashboard's browser tests (CI=true)", () => {
    assert.fail(missing);
  });
}

describe("dashboard in Chromium", { skip: missing ?? false }, () => {
  let cronq: Cronq;
  let browser: Browser;

  before(async () => {
    await buildDashboard();
    cronq = await startCronq();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await cronq?.stop();
  });

  /** Runs a scenario in a fresh context and checks that the page raised no error and opened no dialog. */
  async function scenario(
    run: (page: Page) => Promise<void>,
    options: { token?: string | null; viewport?: { width: number; height: number } } = {},
  ): Promise<void> {
    const { context, page, problems } = await openPage(browser, options.viewport);
    try {
      const token = options.token === undefined ? FULL_TOKEN : options.token;
      if (token !== null) await signIn(page, cronq.url, token);
      await run(page);
      assert.deepEqual(problems.errors, [], "the page raised errors or CSP violations");
      assert.deepEqual(problems.dialogs, [], "the page opened a JavaScript dialog");
    } finally {
      await context.close();
    }
  }

  /** The `datetime` of each `<time>` in a locator: the instants the page shows, in ISO form. */
  const instants = async (scope: Locator): Promise<string[]> =>
    Promise.all(
      (await scope.locator("time").all()).map(async (t) => (await t.getAttribute("datetime")) ?? ""),
    );

  it("shows nothing but the sign-in page without a valid token", async () => {
    await scenario(
      async (page) => {
        await page.goto(`${cronq.url}/#/jobs`);
        await page.getByRole("heading", { name: "Sign in to cronq" }).waitFor();
        assert.equal(await page.getByRole("navigation", { name: "Main" }).count(), 0);
        await screenshot(page, "signin");

        const token = page.getByLabel("API token");
        await token.fill("not-a-valid-token-at-all");
        await token.press("Enter");
        await page.locator("#token-error", { hasText: "not valid" }).waitFor();
        assert.equal(await token.getAttribute("aria-invalid"), "true");
        assert.equal(await page.getByRole("link", { name: "Jobs" }).count(), 0);

        // From the keyboard: the field has the focus back, Enter submits; the page asked for (#/jobs) opens.
        await page.keyboard.press("Control+A");
        await page.keyboard.type(FULL_TOKEN);
        await page.keyboard.press("Enter");
        await page.getByRole("heading", { name: "Jobs", level: 1 }).waitFor();
        await page.getByRole("link", { name: "nightly-report" }).waitFor();
      },
      { token: null },
    );
  });

  it("shows the overview: counts, what runs now, what comes next, failures, workers", async () => {
    await scenario(async (page) => {
      await page.locator(".live-status.live").waitFor();
      const running = page.locator("section", { has: page.getByRole("heading", { name: "Running now" }) });
      await running.getByRole("link", { name: "long-task" }).waitFor();
      const failures = page.locator("section", {
        has: page.getByRole("heading", { name: "Failures to look at" }),
      });
      await failures.getByRole("link", { name: "always-fails" }).first().waitFor();
      const upcoming = page.locator("section", { has: page.getByRole("heading", { name: "Next 24 hours" }) });
      await upcoming.getByRole("link", { name: "always-fails" }).first().waitFor();
      await page.getByRole("link", { name: /1 replica, 1 worker/ }).waitFor();
      await screenshot(page, "home");
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, "home-phone");
    });
  });

  it("creates a job every second with the form and shows its runs as they happen", async () => {
    await scenario(async (page) => {
      let loads = 0;
      page.on("load", () => loads++);
      await page.getByRole("link", { name: "New job" }).first().click();
      await page.getByRole("heading", { name: "New job", level: 1 }).waitFor();
      await page.getByLabel("Task").selectOption("echo");
      await page.getByLabel("Job ID").fill("every-second");
      await page.getByLabel("Every", { exact: true }).fill("1s");
      const preview = page.locator('[data-testid="preview"]');
      await preview.getByText("every second").waitFor();
      await preview.locator("li").nth(4).waitFor();
      await page.getByRole("button", { name: "Create job" }).click();

      await page.getByRole("heading", { name: "every-second", level: 1 }).waitFor();
      assert.equal(new URL(page.url()).hash, "#/job/every-second");
      // Runs arrive through the event stream: three of them, without any reload or click.
      const history = page.locator("section", { has: page.getByRole("heading", { name: "Run history" }) });
      await history.locator("tbody tr", { hasText: "succeeded" }).nth(2).waitFor();
      await page.locator("svg.chart .mark.o-succeeded").nth(2).waitFor();
      assert.equal(loads, 0, "the page was reloaded");
      await screenshot(page, "job-detail");

      const cronqJob = await cronq.api("GET", "/jobs/every-second");
      assert.equal(cronqJob.status, 200);
      await cronq.api("DELETE", "/jobs/every-second");
    });
  });

  it("previews a cron job's next 5 run times while typing, and creates it", async () => {
    await scenario(async (page) => {
      await page.goto(`${cronq.url}/#/new`);
      await page.getByLabel("Task").selectOption("greet");
      // The task declares a schema: the form shows it and starts the arguments from its shape.
      await page.getByText("The task's argument schema").waitFor();
      assert.equal(await page.getByLabel("Arguments (JSON array)").inputValue(), '[""]');
      await page.getByLabel("Arguments (JSON array)").fill('["team"]');
      await page.getByLabel("Job ID").fill("weekday-report");
      await page.getByRole("radio", { name: "Cron" }).check();
      await page.getByLabel("Cron expression").fill("0 9 * * MON-FRI");
      await page.getByLabel("Timezone").filter({ visible: true }).fill("Europe/Berlin");
      const preview = page.locator('[data-testid="preview"]');
      await preview.getByText("at 09:00, Monday through Friday, Europe/Berlin").waitFor();
      await preview.locator("li").nth(4).waitFor();

      const expected = (): string[] =>
        new Cron("0 9 * * MON-FRI", { timezone: "Europe/Berlin" })
          .nextRuns(5, new Date())
          .map((d) => d.toISOString());
      const before = expected();
      const shown = await instants(preview);
      // The server computed from its "now"; if 09:00 in Berlin passed meanwhile, the list moved by one.
      assert.ok(
        JSON.stringify(shown) === JSON.stringify(before) ||
          JSON.stringify(shown) === JSON.stringify(expected()),
        `previewed ${shown.join(", ")}; croner says ${before.join(", ")}`,
      );
      await screenshot(page, "job-form");

      await page.getByRole("button", { name: "Create job" }).click();
      await page.getByRole("heading", { name: "weekday-report", level: 1 }).waitFor();
      const next = page.locator("section", { has: page.getByRole("heading", { name: "Next 10 run times" }) });
      await next.locator("li").nth(9).waitFor();
      assert.deepEqual((await instants(next)).slice(0, 5), shown);
      const job = (await cronq.api("GET", "/jobs/weekday-report")).body as {
        args: unknown;
        timezone: string;
      };
      assert.deepEqual(job.args, ["team"]);
      assert.equal(job.timezone, "Europe/Berlin");

      // Editing starts from what the job has, and keeps what is not changed.
      await page.getByRole("link", { name: "Edit" }).click();
      await page.getByRole("heading", { name: "Edit weekday-report", level: 1 }).waitFor();
      assert.equal(await page.getByLabel("Cron expression").inputValue(), "0 9 * * MON-FRI");
      assert.equal(await page.getByLabel("Job ID").getAttribute("readonly"), "");
      await page.getByLabel("Timezone").filter({ visible: true }).fill("America/New_York");
      await page.getByLabel("Attempts").fill("3");
      await preview.getByText("America/New_York").waitFor();
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByRole("heading", { name: "weekday-report", level: 1 }).waitFor();
      await page.getByText("3 attempts, exponential backoff").waitFor();
      const edited = (await cronq.api("GET", "/jobs/weekday-report")).body as {
        args: unknown;
        timezone: string;
        policy: { retry: { attempts: number } };
      };
      assert.deepEqual(edited.args, ["team"]);
      assert.equal(edited.timezone, "America/New_York");
      assert.equal(edited.policy.retry.attempts, 3);
    });
  });

  it("shows an invalid cron expression's error at its field, as the API reports it", async () => {
    await scenario(async (page) => {
      await page.goto(`${cronq.url}/#/new`);
      await page.getByLabel("Task").selectOption("echo");
      await page.getByLabel("Job ID").fill("bad-cron");
      await page.getByRole("radio", { name: "Cron" }).check();
      const cron = page.locator("#f-cron");
      await cron.fill("61 * * * *");
      const error = page.locator("#f-cron-error");
      await error.getByText('Expected the minute field (1st) to be 0-59, got "61"').waitFor();
      assert.equal(await cron.getAttribute("aria-invalid"), "true");
      assert.match((await cron.getAttribute("aria-describedby")) ?? "", /\bf-cron-error\b/);

      // Submitting anyway: the API refuses, and says so at the same field.
      await page.getByRole("button", { name: "Create job" }).click();
      await page.getByRole("alert").getByText("The job was not saved").waitFor();
      await error.getByText("minute field").first().waitFor();
      assert.equal(await page.locator(":focus").getAttribute("id"), "f-cron");
      await screenshot(page, "job-form-error");
      assert.equal((await cronq.api("GET", "/jobs/bad-cron")).status, 404);

      // Every field of the form has a label.
      const unlabelled: string[] = [];
      for (const control of await page.locator("form.job-form").locator("input, select, textarea").all()) {
        const id = await control.getAttribute("id");
        const labels = id === null ? 0 : await page.locator(`label[for="${id}"]`).count();
        if (labels === 0 && (await control.getAttribute("aria-label")) === null)
          unlabelled.push(id ?? "(no id)");
      }
      assert.deepEqual(unlabelled, []);
    });
  });

  it("pauses, resumes, runs now and removes a job, and does the same for several at once", async () => {
    for (const id of ["controlled", "bulk-a", "bulk-b"]) {
      const created = await cronq.api("POST", "/jobs", { id, task: "echo", trigger: { interval: "1h" } });
      assert.equal(created.status, 201);
    }
    await scenario(async (page) => {
      await page.goto(`${cronq.url}/#/jobs?q=controlled`);
      const row = page.locator('tr[data-row="controlled"]');
      await row.waitFor();
      await page.getByRole("button", { name: "Pause controlled" }).click();
      await row.locator(".badge", { hasText: "paused" }).waitFor();
      await page.getByRole("button", { name: "Resume controlled" }).click();
      await row.locator(".badge", { hasText: "scheduled" }).waitFor();
      await page.getByRole("button", { name: "Run controlled now" }).click();
      // The run count comes with the live update of the row.
      await row.locator('td[data-label="Runs"]', { hasText: "1" }).waitFor();
      await row.locator(".badge", { hasText: "succeeded" }).waitFor();

      await page.getByRole("button", { name: "Remove controlled" }).click();
      const dialog = page.getByRole("dialog", { name: "Remove this job?" });
      await dialog.waitFor();
      await screenshot(page, "confirm-remove");
      // The dialog opens on Cancel: Escape or Enter removes nothing.
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      assert.equal((await cronq.api("GET", "/jobs/controlled")).status, 200);
      await page.getByRole("button", { name: "Remove controlled" }).click();
      await dialog.getByRole("button", { name: "Remove" }).click();
      await row.waitFor({ state: "detached" });
      await page.getByText("No job matches these filters.").waitFor();
      assert.equal((await cronq.api("GET", "/jobs/controlled")).status, 404);

      // Several at once.
      await page.getByLabel("Search").fill("bulk-");
      await page.locator('tr[data-row="bulk-a"]').waitFor();
      await page.getByLabel("Select job bulk-a").check();
      await page.getByLabel("Select job bulk-b").check();
      await page.getByText("2 jobs selected").waitFor();
      await page.locator('[data-bulk="pause"]').click();
      await page.locator('tr[data-row="bulk-a"] .badge', { hasText: "paused" }).waitFor();
      await page.locator('tr[data-row="bulk-b"] .badge', { hasText: "paused" }).waitFor();
      await screenshot(page, "jobs-selected");
      await page.locator('[data-bulk="delete"]').click();
      await page
        .getByRole("dialog", { name: "Remove 2 jobs?" })
        .getByRole("button", { name: "Remove" })
        .click();
      await page.getByText("No job matches these filters.").waitFor();
      assert.equal((await cronq.api("GET", "/jobs/bulk-a")).status, 404);
      assert.equal((await cronq.api("GET", "/jobs/bulk-b")).status, 404);

      await page.getByLabel("Search").fill("");
      await page.getByRole("link", { name: "nightly-report" }).waitFor();
      await screenshot(page, "jobs");
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, "jobs-phone");
    });
  });

  it("shows a script-injection job id and arguments as text, and runs no script", async () => {
    const evil = "<img src=x onerror=alert(1)>";
    const created = await cronq.api("POST", "/jobs", {
      id: evil,
      task: "echo",
      trigger: { interval: "1h" },
      args: ["<script>alert(2)</script>"],
      description: '<b onmouseover="alert(3)">bold</b>',
    });
    assert.equal(created.status, 201);
    await scenario(async (page) => {
      await page.goto(`${cronq.url}/#/jobs`);
      const link = page.getByRole("link", { name: evil, exact: true });
      await link.waitFor();
      assert.equal(await link.textContent(), evil);
      await link.click();
      await page.getByRole("heading", { name: evil, level: 1 }).waitFor();
      await page.getByText('["<script>alert(2)</script>"]').waitFor();
      await page.getByText('<b onmouseover="alert(3)">bold</b>').waitFor();
      await page.getByRole("button", { name: "Run now" }).click();
      await page
        .locator("section", { has: page.getByRole("heading", { name: "Run history" }) })
        .locator("tbody a")
        .first()
        .click();
      await page
        .getByRole("heading", {
          name: new RegExp(`^${evil.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}@`),
          level: 1,
        })
        .waitFor();
      await screenshot(page, "xss-as-text");
      // Nothing of it became markup anywhere.
      assert.equal(await page.locator("img, script:not([src]), b").count(), 0);
    });
    await cronq.api("DELETE", `/jobs/${encodeURIComponent(evil)}`);
  });

  it("shows a run's attempts with start, end, worker, error and stack", async () => {
    await scenario(async (page) => {
      await page.goto(`${cronq.url}/#/job/always-fails`);
      const history = page.locator("section", { has: page.getByRole("heading", { name: "Run history" }) });
      await history.locator("tbody tr", { hasText: "failed" }).first().locator("a").click();
      await page.getByRole("heading", { name: /^always-fails@/, level: 1 }).waitFor();
      const attempts = page.locator("section", { has: page.getByRole("heading", { name: "Attempts" }) });
      await attempts.locator("tbody tr").nth(1).waitFor();
      await attempts.getByText("the disk is full (on purpose)").first().waitFor();
      await attempts.locator("summary", { hasText: "Stack" }).first().click();
      await attempts
        .locator("pre.stack", { hasText: "Error: the disk is full (on purpose)" })
        .first()
        .waitFor();
      const worker = await attempts.locator('td[data-label="Worker"]').first().textContent();
      assert.ok(worker && worker !== "—", "the attempt names its worker");
      await screenshot(page, "run-detail");
    });
  });

  it("shows skipped occurrences with their reason in the run history and the chart", async () => {
    await scenario(async (page) => {
      await page.goto(`${cronq.url}/#/job/long-task`);
      const history = page.locator("section", { has: page.getByRole("heading", { name: "Run history" }) });
      const skipped = history.locator("tbody tr", { hasText: "skipped" }).first();
      await skipped.locator('td[data-label="Reason"]', { hasText: "overlap" }).waitFor();
      await page.locator("svg.chart circle.mark.o-skipped").first().waitFor();
      await page.getByLabel("Filter by outcome").selectOption("skipped");
      // Filtered: the other outcomes leave the table, the skipped ones stay.
      await history
        .locator("tbody tr .badge", { hasText: "succeeded" })
        .first()
        .waitFor({ state: "detached" });
      await history.locator("tbody tr .badge", { hasText: "skipped" }).first().waitFor();
      await screenshot(page, "job-detail-skipped");
    });
  });

  it("shows the replicas and workers with heartbeat, concurrency and what each runs", async () => {
    await scenario(async (page) => {
      await page.getByRole("link", { name: "Workers" }).click();
      await page.getByRole("heading", { name: "Replicas and workers", level: 1 }).waitFor();
      await page.getByText("(serves this API)").waitFor();
      const workers = page.locator("section", {
        has: page.getByRole("heading", { name: "Workers", exact: true }),
      });
      await workers.locator('td[data-label="Concurrency"]').first().waitFor();
      await workers.getByRole("link", { name: "long-task" }).waitFor();
      await screenshot(page, "workers");
    });
  });

  it("lets a read-only token see everything and change nothing", async () => {
    await scenario(
      async (page) => {
        await page.locator(".badge", { hasText: "read-only" }).waitFor();
        assert.equal(await page.getByRole("link", { name: "New job" }).count(), 0);

        await page.goto(`${cronq.url}/#/jobs`);
        await page.getByRole("link", { name: "nightly-report" }).waitFor();
        for (const name of ["Pause", "Resume", "Run now", "Remove"]) {
          assert.equal(await page.getByRole("button", { name, exact: true }).count(), 0, `no ${name} button`);
        }
        assert.equal(await page.locator("main input[type=checkbox]").count(), 0);
        await screenshot(page, "jobs-read-only");

        await page.getByRole("link", { name: "nightly-report" }).click();
        await page.getByText("Read-only: no changes possible.").waitFor();
        assert.equal(await page.locator("main .page-head button").count(), 0);

        await page.goto(`${cronq.url}/#/new`);
        await page.getByText("is read-only: it cannot create or change jobs").waitFor();
        assert.equal(await page.locator("form.job-form").count(), 0);

        await page.goto(`${cronq.url}/#/workers`);
        await page.getByText("(serves this API)").waitFor();
        assert.equal(await page.getByRole("button", { name: /scheduler/ }).count(), 0);

        // And the API itself refuses the token, whatever the page shows.
        const statuses = await page.evaluate(async (token) => {
          const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
          const pause = await fetch("/jobs/nightly-report/pause", {
            method: "POST",
            headers: { authorization: headers.authorization },
          });
          const create = await fetch("/jobs", {
            method: "POST",
            headers,
            body: JSON.stringify({ id: "sneaky", task: "echo", trigger: { interval: "1s" } }),
          });
          const remove = await fetch("/jobs/nightly-report", {
            method: "DELETE",
            headers: { authorization: headers.authorization },
          });
          return [pause.status, create.status, remove.status];
        }, READ_TOKEN);
        assert.deepEqual(statuses, [403, 403, 403]);
        const job = (await cronq.api("GET", "/jobs/nightly-report")).body as { status: string };
        assert.equal(job.status, "scheduled");
        assert.equal((await cronq.api("GET", "/jobs/sneaky")).status, 404);
      },
      { token: READ_TOKEN },
    );
  });
});
