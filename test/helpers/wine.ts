// Wine for the Windows tests: whether it is set up (npm test's set-up: a prefix, Windows Node,
// a Windows go and stand-in gopls), Windows paths for Linux ones, and running an .exe with its
// output in files (Wine's console handles for a child of node's test runner are not usable).

import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { tempDir } from "./env.js";

export const E = process.env;

export const noWine: string | false =
  E.GOPLS_GUARD_TEST_WINE_SKIP ||
  (E.GOPLS_GUARD_TEST_WINE_PREFIX ? false : "Wine is not set up (run the tests with `npm test`)");

/** Z:\ is Wine's view of /. */
export const win = (p: string) => `Z:${p.replaceAll("/", "\\")}`;

export async function wine(
  t: Parameters<typeof tempDir>[0],
  exe: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = tempDir(t, "gg-wine-io-");
  const out = fs.openSync(path.join(dir, "out"), "w");
  const err = fs.openSync(path.join(dir, "err"), "w");
  const child = spawn("wine", [exe, ...args], {
    env: { ...process.env, ...env, WINEPREFIX: E.GOPLS_GUARD_TEST_WINE_PREFIX, WINEDEBUG: "-all" },
    stdio: ["ignore", out, err],
  });
  fs.closeSync(out);
  fs.closeSync(err);
  const killer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(killer);
  return {
    code,
    stdout: fs.readFileSync(path.join(dir, "out"), "utf8"),
    stderr: fs.readFileSync(path.join(dir, "err"), "utf8"),
  };
}

/** The wineserver a test started lingers for a few seconds otherwise. */
export function stopWineserver(t: { after(fn: () => void): void }): void {
  t.after(() => {
    spawn("wineserver", ["-k"], {
      env: { ...process.env, WINEPREFIX: E.GOPLS_GUARD_TEST_WINE_PREFIX },
      stdio: "ignore",
    });
  });
}
