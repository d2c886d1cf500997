/**
 * The dashboard's entry point: sign-in, the page frame (header, navigation, live status), and the
 * router that swaps screens on `hashchange`. Without a valid token only the sign-in page exists.
 */
import { Api } from "./api.js";
import { h, link, replaceChildren } from "./dom.js";
import { Live, type LiveStatus, ServerClock } from "./live.js";
import { type Route, parseRoute } from "./routes.js";
import { homeScreen } from "./screens/home.js";
import { jobDetailScreen } from "./screens/job-detail.js";
import { jobFormScreen } from "./screens/job-form.js";
import { jobsScreen } from "./screens/jobs.js";
import { runDetailScreen } from "./screens/run-detail.js";
import { signInScreen } from "./screens/signin.js";
import { workersScreen } from "./screens/workers.js";
import type { WhoAmI } from "./types.js";
import { type Ctx, type Screen, Scope, confirmDialog, createNotifier, startTicker } from "./ui.js";

/** sessionStorage: the token lives as long as the tab, and other sites cannot read it. */
const TOKEN_KEY = "cronq.token";

const root = document.getElementById("app")!;
const clock = new ServerClock();
const toasts = h("div", { class: "toasts", "aria-live": "polite" });
document.body.append(toasts);
const notify = createNotifier(toasts);
startTicker(clock);

let ctx: Ctx | null = null;
let screen: Screen | null = null;
let main: HTMLElement | null = null;
let nav: HTMLElement | null = null;
let liveStatus: HTMLElement | null = null;
let signInMessage: string | null = null;
/** Where to go after signing in: the page the user asked for. */
let afterSignIn = "#/";

function navigate(hash: string): void {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function signedIn(token: string, me: WhoAmI): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  signInMessage = null;
  const api = new Api(token, () => signOut("The server no longer accepts this token: sign in again.", false));
  const live = new Live(api, clock, showLiveStatus);
  ctx = {
    api,
    me,
    canWrite: me.access === "full",
    clock,
    live,
    navigate,
    notify,
    confirm: confirmDialog,
  };
  renderFrame(ctx);
  live.start();
}

function signOut(message: string | null, tellServer: boolean): void {
  const current = ctx;
  if (!current) return;
  ctx = null;
  current.live.stop();
  // The events cookie would expire on its own; clearing it at once is tidier.
  if (tellServer) current.api.closeSession().catch(() => undefined);
  sessionStorage.removeItem(TOKEN_KEY);
  signInMessage = message;
  screen?.scope.dispose();
  screen = null;
  main = nav = liveStatus = null;
  navigate("#/signin");
}

function renderFrame(c: Ctx): void {
  const items: Array<[string, string]> = [
    ["#/", "Overview"],
    ["#/jobs", "Jobs"],
    ["#/workers", "Workers"],
  ];
  if (c.canWrite) items.push(["#/new", "New job"]);
  nav = h(
    "nav",
    { class: "main-nav", "aria-label": "Main" },
    h(
      "ul",
      null,
      items.map(([hash, label]) => h("li", null, link(hash, label))),
    ),
  );
  liveStatus = h("span", { class: "live-status", role: "status" });
  showLiveStatus(c.live.status);
  const signOutButton = h("button", { type: "button", class: "button link" }, "Sign out");
  signOutButton.addEventListener("click", () => signOut("Signed out.", true));
  main = h("main", { id: "main", tabindex: -1 });
  const skip = h("button", { type: "button", class: "skip" }, "Skip to content");
  skip.addEventListener("click", () => main?.focus());
  replaceChildren(
    root,
    skip,
    h(
      "header",
      { class: "top" },
      h("a", { href: "#/", class: "brand" }, "cronq"),
      nav,
      h(
        "div",
        { class: "who" },
        liveStatus,
        h("span", { class: "token-name", title: "The token you signed in with" }, c.me.name),
        c.canWrite ? null : h("span", { class: "badge s-read-only" }, "read-only"),
        signOutButton,
      ),
    ),
    main,
  );
}

function showLiveStatus(status: LiveStatus): void {
  if (!liveStatus) return;
  const text: Record<LiveStatus, string> = {
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Reconnecting…",
    offline: "Offline",
  };
  liveStatus.className = `live-status ${status}`;
  liveStatus.textContent = text[status];
  liveStatus.title =
    status === "live"
      ? "Updates arrive as they happen."
      : "Live updates are interrupted; the page may be behind.";
}

function screenFor(c: Ctx, r: Route): Screen {
  switch (r.name) {
    case "home":
    case "signin":
      return homeScreen(c);
    case "jobs":
      return jobsScreen(c, r);
    case "new":
      return jobFormScreen(c, null);
    case "edit":
      return jobFormScreen(c, r.id);
    case "job":
      return jobDetailScreen(c, r.id);
    case "run":
      return runDetailScreen(c, r.id);
    case "workers":
      return workersScreen(c);
    case "not-found": {
      const el = h(
        "div",
        null,
        h("h1", { tabindex: -1 }, "Not found"),
        h("p", null, "No page here. ", link("#/", "Go to the overview.")),
      );
      return { title: "Not found", el, scope: new Scope() };
    }
  }
}

function route(): void {
  const r = parseRoute(location.hash);
  if (!ctx) {
    if (r.name !== "signin") afterSignIn = location.hash || "#/";
    screen?.scope.dispose();
    screen = null;
    document.title = "Sign in · cronq";
    replaceChildren(
      root,
      h(
        "main",
        { id: "main" },
        signInScreen({
          message: signInMessage,
          onSignedIn: (token, me) => {
            signedIn(token, me);
            navigate(afterSignIn === "#/signin" ? "#/" : afterSignIn);
          },
        }),
      ),
    );
    return;
  }
  if (r.name === "signin") {
    navigate("#/");
    return;
  }
  if (!main) renderFrame(ctx);
  screen?.scope.dispose();
  screen = screenFor(ctx, r);
  replaceChildren(main!, screen.el);
  document.title = `${screen.title} · cronq`;
  const section =
    r.name === "jobs"
      ? "#/jobs"
      : r.name === "new"
        ? "#/new"
        : r.name === "workers"
          ? "#/workers"
          : r.name === "home"
            ? "#/"
            : null;
  for (const a of nav?.querySelectorAll("a") ?? []) {
    if (a.getAttribute("href") === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  // Move the keyboard and screen readers to the new page's heading, as a page load would.
  screen.el.querySelector<HTMLElement>("h1")?.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

async function boot(): Promise<void> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    try {
      signedIn(token, await new Api(token).whoAmI());
    } catch (error) {
      sessionStorage.removeItem(TOKEN_KEY);
      signInMessage = error instanceof Error ? `Sign in again: ${error.message}` : "Sign in again.";
    }
  }
  window.addEventListener("hashchange", route);
  route();
}

void boot();
