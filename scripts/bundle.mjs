// Bundles the guard into one CommonJS file: one file to read and compile at start-up.
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/gopls-guard.cjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  sourcemap: "linked",
  banner: { js: "#!/usr/bin/env node" },
  define: { GUARD_VERSION: JSON.stringify(version) },
  logLevel: "warning",
});
