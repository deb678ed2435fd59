// What a session tells the user about gopls itself — crashes, restarts, a gopls that arrived late,
// settings or a mirror the user accepted — and the questions it asks (Retry, a mirror, the login
// shell's settings). Text only: the session decides when.

import type { FaultId, Finding } from "../findings.js";
import { sumdbAddress } from "../go/sumdb.js";
import type { FrameStall } from "../lsp/stall.js";

/** The finding to report once a new gopls has the session's open files. */
export type AfterReplay = (files: number) => Finding;

const openFiles = (n: number) => `${n} open file${n === 1 ? "" : "s"}`;

export function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join(" | ");
}

const versioned = (text: string) => text.replace("  ", " ");

/** "1st", "2nd", "3rd", "4th"… */
function nth(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10];
  return `${n}${suffix ?? "th"}`;
}

/** How many crashes, in what window, and the limit: said with each, so repeats read apart. */
export interface CrashCount {
  crashes: number;
  windowMs: number;
  max: number;
}

const minutes = (ms: number) => `${Math.round(ms / 60_000)} minutes`;

export function crashRestarted(
  how: string,
  log: string,
  stderrTail: string | undefined,
  count?: CrashCount,
): AfterReplay {
  const streak = count
    ? ` (its ${nth(count.crashes)} crash in ${minutes(count.windowMs)}; after ${count.max} it is not restarted)`
    : "";
  return (files) => ({
    id: "gopls.crash",
    severity: "warning",
    message: `gopls ${how} and was restarted${streak}; ${openFiles(files)} restored.`,
    evidence: { log, ...(stderrTail ? { stderr: lastLines(stderrTail, 2) } : {}) },
    fix: "Nothing to do now; if it keeps happening, report the log to the gopls issue tracker.",
  });
}

export function crashedTooOften(
  how: string,
  crashes: number,
  windowMs: number,
  log: string,
  stderrTail: string | undefined,
): Finding {
  return {
    id: "gopls.crash",
    severity: "error",
    message: `gopls ${how}, its ${nth(crashes)} crash in ${minutes(windowMs)}; it is not restarted again. Go features are off until it is restarted.`,
    evidence: { log, ...(stderrTail ? { stderr: lastLines(stderrTail, 3) } : {}) },
    fix: "Restart gopls (or the language server); report the log (it has gopls's last words) to the gopls issue tracker.",
  };
}

/** Retry worked. */
export function runningAgain(version: string | undefined, gopls: string): AfterReplay {
  return (files) => ({
    id: "gopls.retry",
    severity: "info",
    message: versioned(`gopls ${version ?? ""} is running now; ${openFiles(files)} handed to it.`),
    evidence: { gopls },
    fix: "",
  });
}

/** gopls arrived after the guard had answered initialize for it. */
export function handedOver(
  version: string | undefined,
  installed: boolean,
  gopls: string,
): AfterReplay {
  const how = installed ? "was installed and is running" : "is running now";
  return (files) => ({
    id: "gopls.missing",
    severity: "info",
    message: versioned(`gopls ${version ?? ""} ${how}; ${openFiles(files)} handed to it.`),
    evidence: { gopls },
    fix: "",
  });
}

export function spawnFailed(gopls: string, e: NodeJS.ErrnoException): Finding {
  return {
    id: "gopls.missing",
    severity: "error",
    message: "gopls could not be started.",
    evidence: { gopls, error: `${e.code ?? ""} ${e.message}`.trim() },
    fix: "Check that the file is a gopls binary for this machine, or unset GOPLS_GUARD_GOPLS.",
  };
}

/** The ways input from either side fails to be LSP. */
export type MalformedId = "lsp.malformed_frame" | "lsp.message_too_large" | "lsp.malformed_message";

/**
 * id: a MalformedId. Typed string for now only because session.ts (being split) passes its
 * malformed()'s string through; an id that is not one of the three is said as malformed_message.
 */
export function malformedInput(
  id: MalformedId | string,
  from: "editor" | "gopls",
  reason: string,
  evidence: string,
  log: string,
): Finding {
  return {
    id: asMalformedId(id),
    severity: "error",
    message: `The guard received a message from ${from === "editor" ? "the editor" : "gopls"} that is not valid LSP: ${reason}.`,
    evidence: { start: JSON.stringify(evidence.slice(0, 120)), log },
    fix:
      from === "editor"
        ? "This is a bug in the editor or its LSP client; restart the language server."
        : "This is a bug in gopls; restart the language server.",
  };
}

function asMalformedId(id: string): MalformedId {
  return id === "lsp.malformed_frame" || id === "lsp.message_too_large"
    ? id
    : "lsp.malformed_message";
}

export const USE_SHELL_SETTINGS = "Use them for gopls";

/** The question about the login shell's settings: the pop-up's words, before and after the evidence. */
export function adoptionQuestion(names: string[]) {
  return {
    lead: `your login shell sets ${names.join(", ")}, which the editor's environment lacks.`,
    ask: "Use the shell's values for gopls in this session? Nothing is written to your settings.",
  };
}

export function adopted(id: FaultId, values: Record<string, string>): AfterReplay {
  const names = Object.keys(values);
  return (files) => ({
    id,
    severity: "info",
    message: `gopls now runs with ${names.join(", ")} from your login shell, for this session; ${openFiles(files)} restored. Your settings are unchanged.`,
    evidence: values,
    fix: "To make it permanent, set them where the editor gets its environment (or `go env -w NAME=value` for GO* settings).",
  });
}

/** Faults a different module proxy can get round: offered, for one install, with consent. */
const MIRROR_CAN_HELP: ReadonlySet<FaultId> = new Set<FaultId>([
  "proxy.unreachable",
  "proxy.intercepted",
  "proxy.tls",
  "sumdb.unreachable",
]);

/** The mirrors worth offering for this failure: none that is already the user's proxy. */
export function mirrorsFor(failure: Finding, mirrors: string[], env: NodeJS.ProcessEnv): string[] {
  if (!MIRROR_CAN_HELP.has(failure.id)) return [];
  // A GOSUMDB with its own URL is asked directly, whatever the proxy: a mirror cannot help.
  if (failure.id === "sumdb.unreachable" && sumdbAddress(env.GOSUMDB ?? "")?.explicit) return [];
  const theirs = (env.GOPROXY ?? "").split(/[,|]/).map((p) => p.trim().replace(/\/+$/, ""));
  return mirrors.filter((m) => !theirs.includes(m));
}

export const RETRY = "Retry";
export const throughMirror = (mirror: string) => `Install once through ${mirror}`;

/** The Retry question after a failed start: the pop-up's words around the evidence and the fix. */
export function retryQuestion(mirrors: string[]) {
  return {
    ask: mirrors.length
      ? "gopls could not be started: fix it, then Retry; or install gopls this once through a mirror (your GOPROXY stays as it is)."
      : "gopls could not be started: fix it, then Retry.",
  };
}

/** The button (and code action) that restarts gopls: after a crash streak, or for its memory. */
export const RESTART_GOPLS = "Restart gopls";

export function installedThroughMirror(
  id: FaultId,
  mirror: string,
  goproxy: string | undefined,
): AfterReplay {
  return (files) => ({
    id,
    severity: "warning",
    message: `gopls was installed through ${mirror}, this once, and is running; ${openFiles(files)} handed to it. Your GOPROXY is unchanged, so fix the cause for gopls's own downloads.`,
    evidence: { mirror, GOPROXY: goproxy ?? "(go's default)" },
    fix: `If the mirror should stay, \`go env -w GOPROXY=${mirror},direct\`.`,
  });
}

/** gopls stopped writing halfway through a message: it is killed and restarted. */
export function stalled(stall: FrameStall, pid: number | undefined, log: string): Finding {
  const { partial } = stall;
  const got =
    partial.bodyLength === undefined
      ? `${partial.headerBytes} bytes of a header`
      : `${partial.bodyBytes} of ${partial.bodyLength} bytes`;
  return {
    id: "gopls.stalled",
    severity: "warning",
    message: `gopls stopped writing halfway through a message (${got}, nothing more for ${Math.round(stall.stalledMs / 1000)} s); it was stopped and restarted with your open files.`,
    evidence: { ...(pid ? { goplsPid: String(pid) } : {}), log },
    fix: "Nothing to do now; if it happens again, report the log to the gopls issue tracker.",
  };
}
