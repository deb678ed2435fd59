// `npm run bench [forwarding|startup|session|session-cold|single-file|sampling|warm|concurrent|doctor|install-real|cold-real]`: set up, then the benchmarks in bench/.
import { spawnSync } from "node:child_process";
import { root, setup } from "./setup.mjs";

const { env } = await setup();
const result = spawnSync(process.execPath, ["build/bench/main.js", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, ...env },
});
process.exit(result.status ?? 1);
