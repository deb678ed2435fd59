// What the doctor's checks see of the world: the environment, platform, home and working
// directory, and /proc/version, passed in so that other platforms (WSL, macOS, Windows) can be tested.

import fs from "node:fs";
import os from "node:os";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";

export interface DoctorSeams {
  config: Config;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
  cwd: string;
  logger: Logger;
  logFile: string;
  /** /proc/version, for WSL. */
  procVersion: () => string;
}

/** The seams of this process: its environment, platform, home and working directory. */
export function processSeams(config: Config, logger: Logger, logFile: string): DoctorSeams {
  return {
    config,
    env: process.env,
    platform: process.platform,
    homedir: os.homedir(),
    cwd: process.cwd(),
    logger,
    logFile,
    procVersion: () => {
      try {
        return fs.readFileSync("/proc/version", "utf8");
      } catch {
        return "";
      }
    },
  };
}
