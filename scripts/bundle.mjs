// Bundles the guard for start-up time: ES modules with code splitting, so a warm serve start
// loads only the proxy (framing, session, log, warm state) and the installer, the doctor and
// execa come in as separate chunks when a cold start or a command needs them.
import { chmodSync, cpSync, readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: { "gopls-guard": "src/main.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  sourcemap: "linked",
  // CommonJS dependencies (pino) call require() for Node's built-ins. No V8 flags on the node
  // command line: any flag makes node compile its built-in modules from source (src/heap.ts).
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __ggRequire } from "node:module";\nconst require = __ggRequire(import.meta.url);',
  },
  define: { GUARD_VERSION: JSON.stringify(version) },
  logLevel: "warning",
});
chmodSync("dist/gopls-guard.mjs", 0o755);
// The launcher's Go source ships beside the bundle: `gopls-guard link` builds it with the local Go.
cpSync("src/launcher", "dist/launcher", {
  recursive: true,
  filter: (src) => !src.endsWith(".ts") && !src.endsWith("_test.go"),
});
