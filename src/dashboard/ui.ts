/**
 * Pieces every screen uses: the screen context, badges, times that count down by themselves,
 * tables that turn into cards on a phone, the confirmation dialog, and the scope that ends a
 * screen's timers and subscriptions when the user leaves it.
 */
import type { Api } from "./api.js";
import { ApiError } from "./api.js";
import { type Child, h, rerender } from "./dom.js";
import { formatDateTime, formatElapsed, formatRelative } from "./format.js";
import type { Live, LiveEvent, ServerClock } from "./live.js";
import type { WhoAmI } from "./types.js";

/** What a screen gets from the app. */
export interface Ctx {
  api: Api;
  me: WhoAmI;
  /** Whether the token may change anything; read-only tokens see no buttons that would. */
  canWrite: boolean;
  clock: ServerClock;
  live: Live;
  navigate(hash: string): void;
  /** Says something in the polite live region (and shows it briefly). */
  notify(text: string, kind?: "info" | "error"): void;
  confirm(options: ConfirmOptions): Promise<boolean>;
}

export interface Screen {
  title: string;
  el: HTMLElement;
  scope: Scope;
}

/** Disposers for one screen: timers, live subscriptions, pending reloads. */
export class Scope {
  readonly #disposers: Array<() => void> = [];
  #disposed = false;

  get disposed(): boolean {
    return this.#disposed;
  }

  add(dispose: () => void): void {
    if (this.#disposed) dispose();
    else this.#disposers.push(dispose);
  }

  live(live: Live, listener: (event: LiveEvent) => void): void {
    this.add(live.subscribe(listener));
  }

  interval(fn: () => void, ms: number): void {
    const id = window.setInterval(fn, ms);
    this.add(() => window.clearInterval(id));
  }

  dispose(): void {
    this.#disposed = true;
    for (const dispose of this.#disposers.splice(0)) dispose();
  }
}

/**
 * Wraps a load function for live updates: however many events arrive, at most one load runs at a
 * time, at most one per `minGapMs`, and one more runs after the last event, so the screen ends up
 * showing the latest state without a request per event.
 */
export function reloader(scope: Scope, load: () => Promise<void>, minGapMs = 1000): () => void {
  let running = false;
  let pending = false;
  let timer: number | undefined;
  let lastStart = 0;
  scope.add(() => window.clearTimeout(timer));
  const run = async (): Promise<void> => {
    if (scope.disposed) return;
    running = true;
    pending = false;
    lastStart = Date.now();
    try {
      await load();
    } finally {
      running = false;
      if (pending) request();
    }
  };
  const request = (): void => {
    if (scope.disposed) return;
    pending = true;
    if (running || timer !== undefined) return;
    const wait = Math.max(0, lastStart + minGapMs - Date.now());
    timer = window.setTimeout(() => {
      timer = undefined;
      void run();
    }, wait);
  };
  return request;
}

// ---- Times ------------------------------------------------------------------------------------

/** An instant in the browser's timezone; its UTC form on hover and for machines. */
export function time(iso: string | null | undefined): Child {
  if (!iso) return h("span", { class: "muted" }, "—");
  return h("time", { datetime: iso, title: `${iso} (UTC)` }, formatDateTime(iso));
}

/** "in 3 s", updated every second by {@link startTicker}. */
export function countdown(iso: string | null | undefined, clock: ServerClock): Child {
  if (!iso) return null;
  return h(
    "span",
    { class: "relative", "data-countdown": iso },
    formatRelative(Date.parse(iso), clock.now()),
  );
}

/** "12 s" since `iso`, updated every second. */
export function elapsed(iso: string, clock: ServerClock): Child {
  return h("span", { class: "elapsed", "data-elapsed": iso }, formatElapsed(Date.parse(iso), clock.now()));
}

/** An instant and its countdown: `2026-03-02 09:00:00 (in 3 s)`. */
export function timeWithCountdown(iso: string | null | undefined, clock: ServerClock): Child {
  if (!iso) return h("span", { class: "muted" }, "—");
  return h("span", { class: "when" }, time(iso), " ", countdown(iso, clock));
}

/** Updates every countdown and elapsed time on the page once a second. */
export function startTicker(clock: ServerClock): void {
  window.setInterval(() => {
    const now = clock.now();
    for (const el of document.querySelectorAll<HTMLElement>("[data-countdown]")) {
      el.textContent = formatRelative(Date.parse(el.dataset.countdown!), now);
    }
    for (const el of document.querySelectorAll<HTMLElement>("[data-elapsed]")) {
      el.textContent = formatElapsed(Date.parse(el.dataset.elapsed!), now);
    }
  }, 1000);
}

// ---- Small pieces -------------------------------------------------------------------------------

/** A status or outcome as a coloured badge (the colour is never the only cue: the word is there). */
export function badge(status: string | null | undefined): Child {
  if (!status) return h("span", { class: "muted" }, "—");
  const kind = /^[a-z-]+$/.test(status) ? status : "unknown";
  return h("span", { class: `badge s-${kind}` }, status);
}

/** Label/value pairs as a description list. */
export function facts(rows: ReadonlyArray<readonly [string, Child] | null | false>): HTMLElement {
  return h(
    "dl",
    { class: "facts" },
    rows.map((row) => (row ? h("div", null, h("dt", null, row[0]), h("dd", null, row[1])) : null)),
  );
}

/** Text that may be long: shown in full in a `<pre>`. */
export function pre(text: string, className = "code"): HTMLElement {
  return h("pre", { class: className, tabindex: 0 }, text);
}

export function muted(text: string): HTMLElement {
  return h("span", { class: "muted" }, text);
}

export interface Column<T> {
  label: string;
  cell: (row: T) => Child;
  class?: string;
}

/**
 * A table whose rows become labelled cards on narrow screens (`data-label` feeds the CSS), so a
 * phone shows every field without scrolling sideways.
 */
export function table<T>(options: {
  caption: string;
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  empty: string;
  rowKey?: (row: T) => string;
  rowClass?: (row: T) => string | null;
  captionHidden?: boolean;
}): HTMLElement {
  const { columns, rows } = options;
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "cards" },
      h("caption", { class: options.captionHidden === false ? "" : "visually-hidden" }, options.caption),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          columns.map((c) => h("th", { scope: "col", class: c.class ?? null }, c.label)),
        ),
      ),
      h(
        "tbody",
        null,
        rows.length === 0
          ? h("tr", { class: "empty" }, h("td", { colspan: columns.length }, options.empty))
          : rows.map((row) =>
              h(
                "tr",
                {
                  "data-row": options.rowKey?.(row) ?? null,
                  class: options.rowClass?.(row) ?? null,
                },
                columns.map((c) => h("td", { "data-label": c.label, class: c.class ?? null }, c.cell(row))),
              ),
            ),
      ),
    ),
  );
}

/** An error from the API (or anything else) as a message box. */
export function errorBox(error: unknown): HTMLElement {
  const message =
    error instanceof ApiError
      ? error.message
      : error instanceof Error
        ? error.message
        : "Something went wrong.";
  return h("div", { class: "error-box", role: "alert" }, message);
}

/** A section with a heading, for the cards of the home page and the detail pages. */
export function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "panel" }, h("h2", null, title), ...children);
}

/**
 * A slot whose content a screen fills after loading: it shows "Loading…" until then and an
 * error box when the load fails, keeping what it showed before a failed live reload.
 */
export class Slot {
  readonly el: HTMLElement;
  #loaded = false;

  constructor(className = "slot") {
    this.el = h("div", { class: className, "aria-busy": "true" }, muted("Loading…"));
  }

  set(...children: Child[]): void {
    this.#loaded = true;
    this.el.removeAttribute("aria-busy");
    rerender(this.el, ...children);
  }

  fail(error: unknown): void {
    if (!this.#loaded) this.set(errorBox(error));
    else {
      this.el.querySelector(":scope > .error-box")?.remove();
      this.el.prepend(errorBox(error));
    }
  }
}

// ---- Dialog and notifications ---------------------------------------------------------------

export interface ConfirmOptions {
  title: string;
  message: Child;
  confirm: string;
  danger?: boolean;
}

/**
 * A modal `<dialog>` (focus moves into it, Escape cancels, the page behind is inert), never
 * `window.confirm`, whose look and wording the page cannot control.
 */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = h("button", { type: "button", class: "button" }, "Cancel");
    const ok = h(
      "button",
      { type: "submit", class: options.danger ? "button danger" : "button primary", value: "ok" },
      options.confirm,
    );
    const dialog = h(
      "dialog",
      { class: "confirm", "aria-labelledby": "confirm-title" },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "confirm-title" }, options.title),
        h("div", { class: "confirm-message" }, options.message),
        h("div", { class: "actions" }, cancel, ok),
      ),
    );
    cancel.addEventListener("click", () => dialog.close("cancel"));
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "ok");
    });
    document.body.append(dialog);
    dialog.showModal();
    // The safe choice has the focus: Enter does not remove anything by accident.
    cancel.focus();
  });
}

export function createNotifier(region: HTMLElement): (text: string, kind?: "info" | "error") => void {
  return (text, kind = "info") => {
    const item = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : null }, text);
    region.append(item);
    window.setTimeout(() => item.remove(), kind === "error" ? 10_000 : 5000);
  };
}

/** Runs an action from a button, disabling it meanwhile and reporting failure. */
export async function act(
  ctx: Ctx,
  button: HTMLButtonElement | null,
  action: () => Promise<unknown>,
  done?: string,
): Promise<boolean> {
  if (button) button.disabled = true;
  try {
    await action();
    if (done) ctx.notify(done);
    return true;
  } catch (error) {
    ctx.notify(error instanceof Error ? error.message : "The action failed.", "error");
    return false;
  } finally {
    if (button) button.disabled = false;
  }
}
