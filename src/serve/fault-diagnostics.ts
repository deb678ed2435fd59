// A held fault as the client sees it without any window message: a diagnostic (source
// "gopls-guard", code = the fault id, a link to the README's fault section) on the workspace's
// go.work or go.mod, or on open Go files, and its actions as quick fixes. Pure, but for the
// look for go.work/go.mod and the README.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { evidenceAndFix } from "../findings.js";
import { redact } from "../safe-text.js";
import type { HeldFault } from "./held-faults.js";

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: 1 | 2 | 3;
  source: "gopls-guard";
  code: string;
  codeDescription?: { href: string };
  message: string;
}

export interface Command {
  title: string;
  command: string;
  arguments?: string[];
}

export interface CodeAction {
  title: string;
  kind: "quickfix";
  diagnostics: Diagnostic[];
  isPreferred?: boolean;
  command: Command;
}

const FIRST_LINE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

let readmeHref: string | undefined;

/** The README shipped beside the guard, at its fault table (found once). */
export function faultsHref(): string | undefined {
  if (readmeHref !== undefined) return readmeHref || undefined;
  readmeHref = "";
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = path.dirname(dir)) {
    const readme = path.join(dir, "README.md");
    if (fs.existsSync(readme)) {
      readmeHref = `${pathToFileURL(readme).href}#fault-ids-and-what-to-do`;
      break;
    }
  }
  return readmeHref || undefined;
}

/** The text a diagnostic carries: what is wrong, how often, the evidence, the fix, the actions. */
export function diagnosticText(held: HeldFault): string {
  const { finding, count, actions } = held;
  const parts = [finding.message];
  if (count > 1) parts.push(`(said ${count} times this session)`);
  parts.push(...evidenceAndFix(finding));
  if (actions.length)
    parts.push(
      `Code action${actions.length > 1 ? "s" : ""}: ${actions.map((a) => `"${a.title}" (${a.command}${a.arguments?.length ? ` ${a.arguments.join(" ")}` : ""})`).join(", ")}.`,
    );
  return redact(parts.join(" "));
}

export function diagnosticOf(held: HeldFault): Diagnostic {
  const href = faultsHref();
  const { severity } = held.finding;
  return {
    range: FIRST_LINE,
    severity: severity === "error" ? 1 : severity === "warning" ? 2 : 3,
    source: "gopls-guard",
    code: held.finding.id,
    ...(href ? { codeDescription: { href } } : {}),
    message: diagnosticText(held),
  };
}

/** Shown at all: a warning or an error, or anything the user can act on. */
export function shownAsDiagnostic(held: HeldFault): boolean {
  return held.finding.severity !== "info" || held.actions.length > 0;
}

/** The held fault's actions as quick fixes for its diagnostic. */
export function codeActionsOf(held: HeldFault, diagnostic: Diagnostic): CodeAction[] {
  return held.actions.map((a, k) => ({
    title: `gopls-guard: ${a.title}`,
    kind: "quickfix",
    diagnostics: [diagnostic],
    ...(k === 0 ? { isPreferred: true } : {}),
    command: {
      title: a.title,
      command: a.command,
      ...(a.arguments ? { arguments: a.arguments } : {}),
    },
  }));
}

const isGo = (uri: string) => uri.endsWith(".go");

function pathOf(uri: string): string | undefined {
  try {
    return uri.startsWith("file:") ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

const inside = (uri: string, folder: string) =>
  uri.startsWith(folder.endsWith("/") ? folder : `${folder}/`);

/**
 * Where the guard's diagnostics go: each workspace folder's go.work, else its go.mod, else the
 * open Go files in it; with no folder, the open Go files. A fault that turns Go features off
 * (or any, for a client that reads only diagnostics) also goes on every open Go file, where the
 * user (or an agent) is looking.
 */
export function faultTargets(
  folders: readonly string[],
  openDocuments: readonly string[],
  onOpenFiles: boolean,
  exists: (file: string) => boolean = fs.existsSync,
): string[] {
  const out = new Set<string>();
  const openGo = openDocuments.filter(isGo);
  for (const folder of folders) {
    const dir = pathOf(folder);
    const name = dir && ["go.work", "go.mod"].find((f) => exists(path.join(dir, f)));
    // The folder's URI as the client wrote it, so the client finds the file by its own name.
    if (name) out.add(`${folder.replace(/\/+$/, "")}/${name}`);
    else for (const uri of openGo) if (inside(uri, folder)) out.add(uri);
  }
  if (folders.length === 0 || onOpenFiles) for (const uri of openGo) out.add(uri);
  return [...out];
}
