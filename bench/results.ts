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

/** The goals, met or not, one line per measure: printed under a benchmark's tables. */
export class Goals {
  readonly lines: string[] = [];

  add(met: boolean, text: string): void {
    this.lines.push(`- ${met ? "met" : "**missed**"}: ${text}`);
  }

  /** The goals as a section of their own ("" when there are none). */
  toString(): string {
    return this.lines.length === 0 ? "" : ["Against the issue's goals:", "", ...this.lines].join("\n");
  }
}
