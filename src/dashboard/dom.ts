/**
 * Building the DOM safely. Every screen is built with {@link h} and {@link svg}: text goes in as
 * text nodes, attributes through `setAttribute`, so a job id like `<img src=x onerror=alert(1)>`
 * can only ever be shown, never parsed as markup. Nothing in the dashboard assigns `innerHTML`
 * (a test greps the sources for it).
 *
 * Two more guards, because attributes can carry code too: event handlers are functions given in
 * `on`, never `on*` attribute strings, and `href` accepts only the dashboard's own `#/...` routes
 * and same-origin paths, so no `javascript:` URL can get in.
 */

/** What may be a child: nodes, text (numbers shown as text), nothing, or a list of those. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

type Handlers = { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };

export interface Props {
  /** Event listeners. */
  on?: Handlers;
  /** `el.value` / `el.checked` are properties, not attributes (the attribute is only the initial value). */
  value?: string;
  checked?: boolean;
  /** Any other attribute: a string, true for a boolean attribute, false/null/undefined for none. */
  [attribute: string]: string | number | boolean | null | undefined | Handlers;
}

/** `#/jobs`, `/openapi.json`: this origin only (`//host` is another origin). */
const SAFE_HREF = /^(?:#|\/(?!\/))/;

function setAttributes(el: Element, props: Props | null | undefined): void {
  if (!props) return;
  for (const [name, value] of Object.entries(props)) {
    if (name === "on") {
      for (const [type, handler] of Object.entries(value as Handlers)) {
        el.addEventListener(type, handler as EventListener);
      }
      continue;
    }
    if (/^on/i.test(name) || name === "innerHTML" || name === "style") {
      throw new Error(`Refusing to set \`${name}\`: use \`on\` handlers and CSS classes.`);
    }
    if (name === "value" && "value" in el) {
      (el as HTMLInputElement).value =
        typeof value === "string" || typeof value === "number" ? String(value) : "";
      continue;
    }
    if (name === "checked" && el instanceof HTMLInputElement) {
      el.checked = value === true;
      continue;
    }
    if (value === false || value === null || value === undefined) continue;
    if (typeof value === "object") throw new Error(`Expected text for the attribute \`${name}\`.`);
    const text = value === true ? "" : String(value);
    if ((name === "href" || name === "src" || name === "action") && !SAFE_HREF.test(text)) {
      throw new Error(`Refusing the URL ${JSON.stringify(text)}: only the dashboard's own routes.`);
    }
    el.setAttribute(name, text);
  }
}

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child as readonly Child[]) append(parent, c);
  } else if (child instanceof Node) {
    parent.appendChild(child);
  } else {
    parent.appendChild(document.createTextNode(String(child as string | number)));
  }
}

/** An HTML element: `h("a", { href: "#/jobs" }, "Jobs")`. Strings become text, never markup. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttributes(el, props);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element, built the same way as {@link h}. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, props);
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  parent.replaceChildren(fragment);
}

/**
 * Re-renders `parent` while keeping the keyboard where it was: the focused element's
 * `data-key` is remembered, and the element with the same key in the new content gets the focus
 * back. Live updates re-render tables every second; without this a keyboard user would be thrown
 * back to the top of the page each time.
 */
export function rerender(parent: Element, ...children: Child[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && parent.contains(active) ? active.dataset.key : undefined;
  replaceChildren(parent, ...children);
  if (key !== undefined) {
    const again = [...parent.querySelectorAll<HTMLElement>("[data-key]")].find(
      (el) => el.dataset.key === key,
    );
    again?.focus({ preventScroll: true });
  }
}

/** A link to a dashboard route. */
export function link(href: string, ...children: Child[]): HTMLAnchorElement {
  return h("a", { href }, ...children);
}
