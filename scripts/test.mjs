// `npm test`: set up what a fresh machine lacks (scripts/setup.mjs), then node's test runner
// over the compiled tests (or the files given as arguments).
import { spawnSync } from "node:child_process";
import { root, setup } from "./setup.mjs";

const { env } = await setup();
// One formatter and linter, and it gates the suite.
const lint = spawnSync(
  process.execPath,
  [
    "node_modules/@biomejs/biome/bin/biome",
    "ci",
    // CI logs and pipes get plain text, not raw colour codes.
    ...(process.stdout.isTTY ? [] : ["--colors=off"]),
    "src",
    "test",
    "bench",
    "scripts",
  ],
  { cwd: root, stdio: "inherit" },
);
if (lint.status !== 0) {
  console.error("lint failed: run `npx biome check --write src test bench scripts`");
  process.exit(lint.status ?? 1);
}
const files = process.argv.slice(2);
const args = [
  "--test",
  "--test-concurrency=2",
  "--test-timeout=180000",
  ...(files.length ? files : ["build/test/"]),
];
const result = spawnSync(process.execPath, args, {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, ...env },
});
process.exit(result.status ?? 1);
