/**
 * What the dashboard's browser tests run against: the dashboard built from the sources, a real
 * `cronq start` process on a free port with its own SQLite file and two tokens (full and
 * read-only), and Debian's Chromium driven by playwright-core. Everything started here is stopped
 * here.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FULL_TOKEN = "dashboard-full-0123456789abcdef";
export const READ_TOKEN = "dashboard-read-0123456789abcdef";
export const SCREENSHOTS = join(ROOT, "test-results", "dashboard");

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH)
    ? null
    : `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install chromium\` (or set CHROMIUM_PATH) to run the dashboard's browser tests`;
}

/** Builds `dist-dashboard/` from the sources, so the tests never run against a stale bundle. */
export async function buildDashboard(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(ROOT, "scripts", "build-dashboard.mjs")], { cwd: ROOT });
}

export interface Cronq {
  url: string;
  /** A request to the API with a token (the full one unless told). */
  api(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;

/** `cronq start` with the test config, a fresh SQLite file, any free port and two tokens. */
export async function startCronq(): Promise<Cronq> {
  const dir = await mkdtemp(join(tmpdir(), "cronq-dashboard-"));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ["CRONQ_API_TOKEN", "CRONQ_HOST", "CRONQ_PORT"]) delete env[key];
  env.CRONQ_API_TOKENS = `admin:full:${FULL_TOKEN},viewer:read:${READ_TOKEN}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "src", "cli", "main.ts"),
      "start",
      "--config",
      join(ROOT, "test", "dashboard", "fixtures", "cronq.config.ts"),
      "--db",
      join(dir, "cronq.db"),
      "--port",
      "0",
      "--log-format",
      "json",
      "--grace",
      "1000",
    ],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `cronq start did not report its URL within ${STARTUP_TIMEOUT_MS} ms:\n${output.join("")}`,
          ),
        ),
      STARTUP_TIMEOUT_MS,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      output.push(line + "\n");
      if (output.length > 200) output.shift();
      try {
        const entry = JSON.parse(line) as { url?: unknown; msg?: unknown };
        if (typeof entry.url === "string" && String(entry.msg).startsWith("API and dashboard on")) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // Not a log line of ours (tsx or Node warnings): kept in `output` for the error above.
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`cronq start exited with ${code} before listening:\n${output.join("")}`));
    });
  }).catch(async (error: unknown) => {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw error;
  });

  return {
    url,
    async api(method, path, body, token = FULL_TOKEN) {
      const response = await fetch(url + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === "" ? null : (JSON.parse(text) as unknown) };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** What a page did that it should not: script errors, CSP violations, JavaScript dialogs. */
export interface PageProblems {
  errors: string[];
  dialogs: string[];
}

/** A fresh context (its own sessionStorage and cookies) and page, watched for problems. */
export async function openPage(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport, timezoneId: "UTC", locale: "en-GB" });
  const page = await context.newPage();
  // Guards against a hang, not timing assertions: every wait is for a condition.
  page.setDefaultTimeout(20_000);
  const problems: PageProblems = { errors: [], dialogs: [] };
  page.on("pageerror", (error) => problems.errors.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.errors.push(`console: ${message.text()}`);
    }
  });
  page.on("dialog", (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { context, page, problems };
}

export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
