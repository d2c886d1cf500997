/**
 * Labelled form fields with a slot for their error: each control gets an id, a `<label for>`, a
 * help line and an error line, both tied to it with `aria-describedby`, so that a screen reader
 * reads the error with the field, and `aria-invalid` marks it.
 */
import { type Child, h } from "../dom.js";

export type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export const input = (value: string, attrs: Record<string, string | boolean> = {}): HTMLInputElement =>
  h("input", { type: "text", value, autocomplete: "off", spellcheck: "false", ...attrs });

export const select = (value: string, options: ReadonlyArray<readonly [string, string]>): HTMLSelectElement =>
  h(
    "select",
    null,
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
  );

export const checkbox = (checked: boolean): HTMLInputElement => h("input", { type: "checkbox", checked });

export class Fields<Key extends string> {
  readonly #controls = new Map<Key, Control>();
  readonly #errors = new Map<Key, HTMLElement>();

  /** A labelled field: the label, the control, a help line and the slot for its error. */
  field(key: Key, label: string, control: Control, help?: Child): HTMLElement {
    const id = `f-${key}`;
    control.id = id;
    control.name = key;
    control.setAttribute(
      "aria-describedby",
      [help ? `${id}-help` : null, `${id}-error`].filter(Boolean).join(" "),
    );
    this.#controls.set(key, control);
    const error = this.errorSlot(key);
    const isCheck = control instanceof HTMLInputElement && control.type === "checkbox";
    return h(
      "div",
      { class: isCheck ? "field check" : "field", "data-field": key },
      isCheck ? [control, h("label", { for: id }, label)] : [h("label", { for: id }, label), control],
      help ? h("p", { id: `${id}-help`, class: "help" }, help) : null,
      error,
    );
  }

  /** An error line of its own, for errors about a group of fields (`trigger`). */
  errorSlot(key: Key): HTMLElement {
    const slot = h("p", { id: `f-${key}-error`, class: "field-error" });
    this.#errors.set(key, slot);
    return slot;
  }

  control(key: Key): Control | undefined {
    return this.#controls.get(key);
  }

  value(key: Key): string {
    return this.#controls.get(key)?.value ?? "";
  }

  checked(key: Key): boolean {
    const control = this.#controls.get(key);
    return control instanceof HTMLInputElement && control.checked;
  }

  /** Shows `message` at the field; false when it has no visible place for it. */
  setError(key: Key, message: string): boolean {
    const slot = this.#errors.get(key);
    if (!slot || slot.closest("[hidden]")) return false;
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    this.#controls.get(key)?.setAttribute("aria-invalid", "true");
    return true;
  }

  clear(keys: Iterable<Key> = this.#errors.keys()): void {
    for (const key of [...keys]) {
      const slot = this.#errors.get(key);
      if (slot) slot.textContent = "";
      this.#controls.get(key)?.removeAttribute("aria-invalid");
    }
  }

  /**
   * Shows every error at its field, lists them all in `summary` (errors without a visible field of
   * their own are there only), and moves the focus to the first field at fault, or to the summary.
   */
  showErrors(summary: HTMLElement, list: ReadonlyArray<{ field: Key; message: string }>, what: string): void {
    for (const e of list) this.setError(e.field, e.message);
    summary.hidden = false;
    summary.replaceChildren(
      h("p", null, list.length === 1 ? `${what}:` : `${what}: ${list.length} problems.`),
      h(
        "ul",
        null,
        list.map((e) => h("li", null, e.message)),
      ),
    );
    const first = list.map((e) => this.#controls.get(e.field)).find((c) => c && !c.closest("[hidden]"));
    if (first) first.focus();
    else {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  }
}
