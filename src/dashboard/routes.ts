/**
 * The dashboard's routes live in the URL's hash (`#/job/<id>`): the server serves only the
 * dashboard's files, so every path must be `/`. Pure functions, tested under Node.
 *
 * Ids are percent-encoded segments, so a job id holding `/`, `#`, `?` or spaces survives the trip,
 * and a job named `new` is `#/job/new`, never the form (`#/new`).
 */

export type Route =
  | { name: "signin" }
  | { name: "home" }
  | { name: "jobs"; status: string | null; task: string | null; search: string | null }
  | { name: "new" }
  | { name: "job"; id: string }
  | { name: "edit"; id: string }
  | { name: "run"; id: string }
  | { name: "workers" }
  | { name: "not-found"; path: string };

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** `#/job/a%2Fb/edit` -> `{ name: "edit", id: "a/b" }`. */
export function parseRoute(hash: string): Route {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  const mark = text.indexOf("?");
  const path = mark < 0 ? text : text.slice(0, mark);
  const query = mark < 0 ? "" : text.slice(mark + 1);
  const raw = path.split("/").filter((s) => s !== "");
  const parts = raw.map(decode);
  if (parts.some((p) => p === null)) return { name: "not-found", path };
  const [first, second, third] = parts as string[];
  const params = new URLSearchParams(query);
  const param = (key: string): string | null => {
    const value = params.get(key);
    return value === null || value === "" ? null : value;
  };
  if (first === undefined) return { name: "home" };
  if (first === "signin" && second === undefined) return { name: "signin" };
  if (first === "jobs" && second === undefined) {
    return { name: "jobs", status: param("status"), task: param("task"), search: param("q") };
  }
  if (first === "new" && second === undefined) return { name: "new" };
  if (first === "job" && second !== undefined && third === undefined) return { name: "job", id: second };
  if (first === "job" && second !== undefined && third === "edit" && parts.length === 3) {
    return { name: "edit", id: second };
  }
  if (first === "run" && second !== undefined && third === undefined) return { name: "run", id: second };
  if (first === "workers" && second === undefined) return { name: "workers" };
  return { name: "not-found", path };
}

/** The hash of a route: the inverse of {@link parseRoute}. */
export function href(route: Route): string {
  const e = encodeURIComponent;
  switch (route.name) {
    case "signin":
      return "#/signin";
    case "home":
      return "#/";
    case "jobs": {
      const params = new URLSearchParams();
      if (route.status) params.set("status", route.status);
      if (route.task) params.set("task", route.task);
      if (route.search) params.set("q", route.search);
      const query = params.toString();
      return query === "" ? "#/jobs" : `#/jobs?${query}`;
    }
    case "new":
      return "#/new";
    case "job":
      return `#/job/${e(route.id)}`;
    case "edit":
      return `#/job/${e(route.id)}/edit`;
    case "run":
      return `#/run/${e(route.id)}`;
    case "workers":
      return "#/workers";
    case "not-found":
      return `#/${route.path}`;
  }
}

export const jobHref = (id: string): string => href({ name: "job", id });
export const runHref = (id: string): string => href({ name: "run", id });
export const jobsHref = (filter: { status?: string; task?: string; search?: string } = {}): string =>
  href({
    name: "jobs",
    status: filter.status ?? null,
    task: filter.task ?? null,
    search: filter.search ?? null,
  });
