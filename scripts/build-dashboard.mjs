#!/usr/bin/env node
// Builds the dashboard into dist-dashboard/ at the package root, where `cronq start` and
// `cronq serve` serve it from: index.html, app.js (one ES module, minified, everything bundled:
// no CDN, no network) and app.css. No inline script or style anywhere, as the API's
// Content-Security-Policy requires.
//
// The server caches app.js and app.css for an hour and revalidates index.html, so index.html
// refers to them with `?v=<hash of their content>`: a new build is picked up on the next load.
//
//   node scripts/build-dashboard.mjs               # build
//   node scripts/build-dashboard.mjs --sourcemap   # with app.js.map, for debugging in the browser
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src", "dashboard");
const out = join(root, "dist-dashboard");
const sourcemap = process.argv.includes("--sourcemap");

// Build next to the target and swap it in, so a running server never serves half a build.
const staging = `${out}.tmp-${process.pid}`;
await rm(staging, { recursive: true, force: true });
await mkdir(staging, { recursive: true });

try {
  const result = await build({
    entryPoints: { app: join(src, "main.ts"), "app-style": join(src, "app.css") },
    outdir: staging,
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2022", "chrome110", "firefox115", "safari16"],
    platform: "browser",
    sourcemap: sourcemap ? "linked" : false,
    legalComments: "none",
    // The dashboard's own tsconfig (DOM types), not the root one (Node).
    tsconfig: join(src, "tsconfig.json"),
    logLevel: "warning",
    metafile: true,
  });
  // esbuild names a CSS entry after its key; the page wants app.css.
  await rename(join(staging, "app-style.css"), join(staging, "app.css"));

  const js = await readFile(join(staging, "app.js"));
  const css = await readFile(join(staging, "app.css"));
  const version = createHash("sha256").update(js).update(css).digest("hex").slice(0, 12);
  const html = (await readFile(join(src, "index.html"), "utf8")).replaceAll("__VERSION__", version);
  await writeFile(join(staging, "index.html"), html);

  // Bundled code must come from this repository only (plus nothing): say so if that ever changes.
  const foreign = Object.keys(result.metafile.inputs).filter((input) => input.includes("node_modules"));
  if (foreign.length > 0)
    process.stderr.write(`dashboard: bundled from node_modules: ${foreign.join(", ")}\n`);

  await rm(out, { recursive: true, force: true });
  await rename(staging, out);

  const size = (bytes) => `${(bytes.length / 1024).toFixed(1)} KiB`;
  const total = Buffer.concat([js, css, Buffer.from(html)]);
  process.stdout.write(
    `dashboard: ${relative(root, out)}/ app.js ${size(js)} (${size(gzipSync(js))} gzipped), ` +
      `app.css ${size(css)} (${size(gzipSync(css))} gzipped), index.html ${size(Buffer.from(html))}; ` +
      `${size(gzipSync(total))} gzipped in all\n`,
  );
} catch (error) {
  await rm(staging, { recursive: true, force: true });
  throw error;
}
