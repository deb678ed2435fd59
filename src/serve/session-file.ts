// A running session, described in a small file under the guard's home (sessions/<pid>.json)
// for `gopls-guard status`: written when something in it changes, removed when the session
// ends; one whose process is gone is ignored (and removed) by the reader.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { alive } from "../gopls/leftovers.js";

export interface SessionInfo {
  guardPid: number;
  editorPid: number | undefined;
  workspace: string | undefined;
  goplsPath: string | undefined;
  goplsVersion: string | undefined;
  goplsPid: number | undefined;
  rssBytes: number | undefined;
  startedAt: string;
  restarts: number;
  state: string;
  pendingUpdate: string | undefined;
  /** A new gopls's cache being warmed before it is offered: its version, since when. */
  warming?: { version: string; since: string } | undefined;
  /** A shared gopls (src/shared/): its key, its clients. */
  shared?: SharedInfo | undefined;
}

export interface SharedInfo {
  socket: string;
  key: string;
  /** Each part of the key's hash, by name: what two instances of one workspace differ in. */
  parts: Record<string, string>;
  clients: number[];
  idleSince?: string | undefined;
  /** When a client last joined: the instance a file reached from a workspace joins. */
  lastJoin?: string | undefined;
}

export function sessionsDir(home: string): string {
  return path.join(home, "sessions");
}

export class SessionFile {
  private readonly file: string;
  readonly info: SessionInfo;
  private pending: NodeJS.Timeout | undefined;
  private removed = false;

  constructor(home: string) {
    this.file = path.join(sessionsDir(home), `${process.pid}.json`);
    this.info = {
      guardPid: process.pid,
      editorPid: undefined,
      workspace: undefined,
      goplsPath: undefined,
      goplsVersion: undefined,
      goplsPid: undefined,
      rssBytes: undefined,
      startedAt: new Date().toISOString(),
      restarts: 0,
      state: "starting",
      pendingUpdate: undefined,
    };
  }

  /**
   * Records the change; the file is rewritten (atomically) once the current work is done, and
   * only when something changed: nothing of it on the start path or the forwarding path.
   */
  update(change: Partial<SessionInfo>): void {
    const before = JSON.stringify(this.info);
    Object.assign(this.info, change);
    if (this.pending || this.removed || JSON.stringify(this.info) === before) return;
    this.pending = setTimeout(() => this.write(), 50);
    this.pending.unref();
  }

  private write(): void {
    this.pending = undefined;
    if (this.removed) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(this.info));
      fs.renameSync(tmp, this.file);
    } catch {
      // Only for `status`: a home that cannot be written was reported at start.
    }
  }

  remove(): void {
    this.removed = true;
    clearTimeout(this.pending);
    fs.rmSync(this.file, { force: true });
  }
}

/** The workspace a session serves, as a path: its first folder, else its root. */
export function workspaceOf(params: {
  rootUri?: unknown;
  workspaceFolders?: unknown;
}): string | undefined {
  const folders = Array.isArray(params.workspaceFolders) ? params.workspaceFolders : [];
  const uri = (folders[0] as { uri?: unknown } | undefined)?.uri ?? params.rootUri;
  if (typeof uri !== "string") return undefined;
  try {
    return uri.startsWith("file:") ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

/** The live sessions; the files of sessions whose guard is gone are removed. */
export function liveSessions(home: string): SessionInfo[] {
  const dir = sessionsDir(home);
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  const out: SessionInfo[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const info = JSON.parse(fs.readFileSync(file, "utf8")) as SessionInfo;
      if (alive(info.guardPid)) out.push(info);
      else fs.rmSync(file, { force: true });
    } catch {
      // Being rewritten, or not ours: skipped.
    }
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
