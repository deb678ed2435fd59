// A process's resident memory, the way each OS tells it without a library: Linux's
// /proc/PID/status (VmRSS), `ps -o rss=` on macOS and the BSDs, `tasklist` on Windows. The
// parsers are pure; sampling is one read or one short command.

import { execFile } from "node:child_process";
import fs from "node:fs/promises";

/** VmRSS from /proc/PID/status, in bytes. */
export function parseProcStatus(text: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** `ps -o rss= -p PID`: kilobytes. */
export function parsePsRss(text: string): number | undefined {
  const kb = Number(text.trim());
  return text.trim() && Number.isFinite(kb) ? kb * 1024 : undefined;
}

/** `tasklist /FI "PID eq N" /FO CSV /NH`: "gopls.exe","1234","Console","1","123,456 K". */
export function parseTasklist(text: string): number | undefined {
  const fields = text.trim().split('","');
  const mem = fields.at(-1)?.replace(/[^0-9]/g, "");
  return mem ? Number(mem) * 1024 : undefined;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5000, windowsHide: true }, (error, stdout) =>
      resolve(error ? "" : stdout),
    );
  });
}

export type SampleRss = (pid: number) => Promise<number | undefined>;

export function rssSampler(platform: NodeJS.Platform = process.platform): SampleRss {
  if (platform === "linux")
    return async (pid) =>
      parseProcStatus(await fs.readFile(`/proc/${pid}/status`, "utf8").catch(() => ""));
  if (platform === "win32")
    return async (pid) =>
      parseTasklist(await run("tasklist", ["/FI", `PID eq ${pid}`, "/FO", "CSV", "/NH"]));
  return async (pid) => parsePsRss(await run("ps", ["-o", "rss=", "-p", String(pid)]));
}
