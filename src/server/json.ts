/**
 * The JSON body parser. The framework's default one is replaced so that every rule about bodies
 * lives in one place:
 * - an empty body is no body (a `POST /jobs/x/pause` with `Content-Type: application/json` and
 *   nothing else is fine);
 * - a key named `__proto__`, or a `constructor` key holding a `prototype`, is refused: such keys turn
 *   into prototype pollution as soon as some code merges the object with `Object.assign`;
 * - nesting deeper than {@link MAX_BODY_DEPTH} is refused, so that no recursive validator down the
 *   line (zod, the scheduler's argument check) can overflow the stack.
 * The walk is iterative: a hostile body of 1 MiB of `[` cannot overflow it either.
 */
import { HttpError } from "./errors.js";

export const MAX_BODY_DEPTH = 64;

export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "INVALID_JSON", "The request body is not valid JSON.");
  }
  checkStructure(value);
  return value;
}

function checkStructure(root: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) {
      throw new HttpError(
        400,
        "INVALID_JSON",
        `The request body is nested deeper than ${MAX_BODY_DEPTH} levels.`,
      );
    }
    if (Array.isArray(value)) {
      for (const item of value)
        if (typeof item === "object" && item !== null) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[key];
      if (
        key === "__proto__" ||
        (key === "constructor" &&
          typeof child === "object" &&
          child !== null &&
          Object.prototype.hasOwnProperty.call(child, "prototype"))
      ) {
        throw new HttpError(400, "INVALID_JSON", `The request body has a forbidden key \`${key}\`.`);
      }
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
}
