import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { loadConfig } from "../src/config.js";
import { openLog } from "../src/log.js";
import { tempDir } from "./helpers/env.js";

test("events logged before pino has loaded are written by flush, as pino writes them", (t) => {
  const home = tempDir(t);
  const { config } = loadConfig({
    env: { GOPLS_GUARD_HOME: home, GOPLS_GUARD_LOG_LEVEL: "info" },
    platform: "linux",
    homedir: home,
  });
  const log = openLog(config, "gopls-guard");
  log.logger.debug({ event: "quiet" }, "below the level");
  log.logger.info({ event: "session.start", n: 1 }, "session start");
  log.logger.fatal({ event: "guard.bug" });
  // The process ends before the session's first second: no load(), only flush().
  log.flush();
  const lines = fs
    .readFileSync(
      path.join(home, "logs", fs.readdirSync(path.join(home, "logs"))[0] as string),
      "utf8",
    )
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map(({ level, event, msg, name }) => ({ level, event, msg, name })),
    [
      { level: 30, event: "session.start", msg: "session start", name: "gopls-guard" },
      { level: 60, event: "guard.bug", msg: undefined, name: "gopls-guard" },
    ],
  );
  assert.equal(lines[0]?.pid, process.pid);
  assert.equal(typeof lines[0]?.time, "number");
});
