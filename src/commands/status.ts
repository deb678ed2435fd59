// `gopls-guard status [--json]`: the sessions running under this guard home, read from their
// session files (serve/session-file.ts): editor, workspace, gopls, memory, uptime, restarts.
// Fast: no go, no gopls, only a directory listing and a few small files.

import { formatBytes } from "../bytes.js";
import type { Config } from "../config.js";
import { forTerminal, redact } from "../safe-text.js";
import { liveSessions, type SessionInfo } from "../serve/session-file.js";
import { differingParts } from "../shared/key.js";
import { jsonFlag } from "./json-flag.js";

function uptime(since: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** A newer gopls being warmed ("warming v0.24.0: 12 s"), or waiting to be switched to. */
function updateColumn(s: SessionInfo, now: number): string {
  if (s.warming)
    return `warming ${s.warming.version}: ${Math.max(0, Math.round((now - Date.parse(s.warming.since)) / 1000))} s`;
  return s.pendingUpdate ?? "-";
}

export function status(config: Config, args: string[]): number {
  const json = jsonFlag("status", args);
  if (json === undefined) return 2;
  const sessions = liveSessions(config.home);
  if (json) {
    process.stdout.write(`${redact(JSON.stringify({ home: config.home, sessions }, null, 2))}\n`);
    return 0;
  }
  if (sessions.length === 0) {
    process.stdout.write(`No gopls-guard sessions running under ${config.home}.\n`);
    return 0;
  }
  const now = Date.now();
  // Session files hold what editors sent (a rootUri with ESC in it): escaped for the terminal.
  const rows = sessions.map((s) => [
    String(s.guardPid),
    s.editorPid ? String(s.editorPid) : "-",
    forTerminal(s.workspace ?? "-", false),
    `${s.goplsVersion ?? "?"}${s.goplsPid ? ` (pid ${s.goplsPid})` : ""}`,
    s.rssBytes ? formatBytes(s.rssBytes) : "-",
    uptime(s.startedAt, now),
    String(s.restarts),
    forTerminal(s.state, false),
    forTerminal(updateColumn(s, now), false),
  ]);
  const head = [
    "guard",
    "editor",
    "workspace",
    "gopls",
    "memory",
    "up",
    "restarts",
    "state",
    "update",
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  process.stdout.write(`${[line(head), ...rows.map(line)].join("\n")}\n`);
  const shared = sharedLines(sessions, now);
  if (shared.length > 0)
    process.stdout.write(`\nShared gopls (GOPLS_GUARD_SHARE):\n${shared.join("\n")}\n`);
  return 0;
}

/**
 * Each shared instance: its clients, its key; for two instances of one workspace, the parts of
 * the key they differ in (by name: the values may hold credentials).
 */
function sharedLines(sessions: SessionInfo[], now: number): string[] {
  const shared = sessions.filter((s) => s.shared);
  return shared.map((s) => {
    const info = s.shared as NonNullable<SessionInfo["shared"]>;
    const n = info.clients.length;
    const clients =
      n === 0
        ? `no client (idle for ${uptime(info.idleSince ?? s.startedAt, now)})`
        : `shared by ${n} client${n === 1 ? "" : "s"} (guard pid${n === 1 ? "" : "s"} ${info.clients.join(", ")})`;
    const twins = shared.filter((o) => o !== s && o.workspace === s.workspace && o.shared);
    const differs = twins.map((o) => {
      const parts = differingParts(
        info.parts,
        (o.shared as NonNullable<SessionInfo["shared"]>).parts,
      );
      return `; differs from ${o.guardPid} in: ${parts.join(", ")}`;
    });
    return `  ${s.guardPid}  ${forTerminal(s.workspace ?? "-", false)}: ${clients}, key ${info.key.slice(0, 12)}${differs.join("")}`;
  });
}
