/**
 * Sign-in: an API token, checked with `GET /session`, then kept in sessionStorage (gone when the
 * tab closes; never in localStorage, a cookie or a URL).
 */
import { Api, ApiError } from "../api.js";
import { h } from "../dom.js";
import type { WhoAmI } from "../types.js";

export function signInScreen(options: {
  message: string | null;
  onSignedIn: (token: string, me: WhoAmI) => void;
}): HTMLElement {
  const input = h("input", {
    id: "token",
    name: "token",
    type: "password",
    autocomplete: "current-password",
    spellcheck: "false",
    required: true,
    "aria-describedby": "token-help token-error",
  });
  const error = h("p", { id: "token-error", class: "field-error", "aria-live": "assertive" });
  const button = h("button", { type: "submit", class: "button primary" }, "Sign in");

  const form = h(
    "form",
    { class: "signin", novalidate: true },
    h("h1", { tabindex: -1 }, "Sign in to cronq"),
    options.message ? h("p", { class: "notice", role: "status" }, options.message) : null,
    h(
      "div",
      { class: "field" },
      h("label", { for: "token" }, "API token"),
      input,
      h(
        "p",
        { id: "token-help", class: "help" },
        "A token from CRONQ_API_TOKEN or CRONQ_API_TOKENS. With none set, cronq start makes one up and prints it in its log. A read-only token shows everything and changes nothing.",
      ),
      error,
    ),
    h("div", { class: "actions" }, button),
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = input.value.trim();
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    if (token === "") {
      fail("Enter a token.");
      return;
    }
    button.disabled = true;
    new Api(token)
      .whoAmI()
      .then((me) => options.onSignedIn(token, me))
      .catch((e: unknown) => {
        fail(
          e instanceof ApiError && e.status === 401
            ? "This token is not valid for this server."
            : e instanceof Error
              ? e.message
              : "Signing in failed.",
        );
      })
      .finally(() => {
        button.disabled = false;
      });
  });

  function fail(message: string): void {
    error.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  queueMicrotask(() => input.focus());
  return h("div", { class: "signin-page" }, h("div", { class: "brand big" }, "cronq"), form);
}
