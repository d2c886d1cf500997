/** Keeps bench/RESULTS.md: one section per benchmark, replaced in place when it runs again. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FILE = fileURLToPath(new URL("./RESULTS.md", import.meta.url));

export function updateResults(section: string, body: string): void {
  const text = existsSync(FILE) ? readFileSync(FILE, "utf8") : "# Benchmark results\n";
  const start = `<!-- ${section}: start -->`;
  const end = `<!-- ${section}: end -->`;
  const block = `${start}\n## ${section}\n\n${body.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, next);
}
