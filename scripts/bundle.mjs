// Bundles the guard for start-up time, in two parts:
// - the entry (dist/gopls-guard.mjs, src/start.ts): one file, the command line, the configuration
//   and the warm-start check, so that a warm start spawns gopls before the rest loads. One file,
//   because every module that node's ES loader resolves, reads and links adds to a start;
// - the rest (dist/chunks/main.mjs, src/main.ts): ES modules with code splitting, so a warm serve
//   start loads only the proxy (framing, session, log, warm state) and the installer, the doctor
//   and execa come in as separate chunks when a cold start or a command needs them.
// Each part has its own copy of the few modules both use (src/serve/early-gopls.ts says how the
// gopls spawned ahead passes between them).
import { chmodSync, cpSync, readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  sourcemap: "linked",
  define: { GUARD_VERSION: JSON.stringify(version) },
  logLevel: "warning",
};
rmSync("dist", { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { "chunks/main": "src/main.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  // CommonJS dependencies (pino) call require() for Node's built-ins. No V8 flags on the node
  // command line: any flag makes node compile its built-in modules from source (src/heap.ts).
  banner: {
    js: 'import { createRequire as __ggRequire } from "node:module";\nconst require = __ggRequire(import.meta.url);',
  },
});
const entry = await build({
  ...common,
  entryPoints: ["src/start.ts"],
  outfile: "dist/gopls-guard.mjs",
  banner: { js: "#!/usr/bin/env node" },
  metafile: true,
  plugins: [
    {
      name: "main-apart",
      setup(b) {
        b.onResolve({ filter: /^\.\/main\.js$/ }, () => ({
          path: "./chunks/main.mjs",
          external: true,
        }));
      },
    },
  ],
});
// Nothing in the entry may load more: a dynamic import would be inlined into it.
const inputs = Object.keys(entry.metafile.inputs);
const allowed =
  /^src\/(start|cli|config|config-file|bytes|defaults|findings|guard-home|gopls\/(warm|locate|probe|state|trust)|go\/runtime-env|env-lookup|launcher\/paths|serve\/early-gopls|shared-file|safe-text)\.ts$/;
const extra = inputs.filter((i) => !allowed.test(i));
if (extra.length)
  throw new Error(`the entry bundle took in more than the start needs: ${extra.join(", ")}`);
chmodSync("dist/gopls-guard.mjs", 0o755);
// The launcher's Go source ships beside the bundle: `gopls-guard link` builds it with the local Go.
cpSync("src/launcher", "dist/launcher", {
  recursive: true,
  filter: (src) => !src.endsWith(".ts") && !src.endsWith("_test.go"),
});
