// Faults as values: every problem the guard reports carries a stable id from the fault table
// (src/faults.ts: FAULTS.md's and the guard's own), a one-line message, its evidence and the fix.

import type { FaultId, Severity } from "./faults.js";
import { redact, redactDeep } from "./safe-text.js";

export type { FaultId, Severity } from "./faults.js";

export interface Finding {
  id: FaultId;
  severity: Severity;
  message: string;
  evidence: Record<string, string>;
  fix: string;
  /**
   * Settings the user may opt in to for this session (gopls's and the installer's environment),
   * offered in the editor with window/showMessageRequest; never applied without the answer.
   */
  adopt?: Record<string, string>;
}

/** A finding as the doctor prints it: the five public fields, credentials redacted. */
export function publicFinding(f: Finding): Omit<Finding, "adopt"> {
  return redactDeep({
    id: f.id,
    severity: f.severity,
    message: f.message,
    evidence: f.evidence,
    fix: f.fix,
  });
}

export type Result<T> = { ok: true; value: T } | { ok: false; finding: Finding };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(finding: Finding): Result<T> {
  return { ok: false, finding };
}

/**
 * The same fault said again: the same id and severity, and no evidence both name has changed
 * (the install's failure and the doctor's check of GOPROXY=off are one fault in two wordings).
 */
export function sameFault(a: Finding, b: Finding): boolean {
  if (a.id !== b.id || a.severity !== b.severity) return false;
  return Object.entries(a.evidence).every(([k, v]) => !(k in b.evidence) || b.evidence[k] === v);
}

/** Each fault once, the first wording kept. */
export function dedupe(findings: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) if (!out.some((o) => sameFault(o, f))) out.push(f);
  return out;
}

/** The one-paragraph text an editor shows: what is wrong, the evidence, the fix. */
export function describe(finding: Finding): string {
  // An event said for information with nothing to fix (gopls installed, a switch done) is no
  // fault: it carries no fault id.
  if (finding.severity === "info" && !finding.fix) return redact(`gopls-guard: ${finding.message}`);
  return redact(
    `gopls-guard [${finding.id}] ${[finding.message, ...evidenceAndFix(finding)].join(" ")}`,
  );
}

/** "(name: value; …)" and "Fix: …", those that there are: what every whole text of a fault ends with. */
export function evidenceAndFix(finding: Finding): string[] {
  const evidence = Object.entries(finding.evidence)
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");
  const parts: string[] = [];
  if (evidence) parts.push(`(${evidence})`);
  if (finding.fix) parts.push(`Fix: ${finding.fix}`);
  return parts;
}

const HEADLINE_MAX = 160;

function firstSentence(text: string): string {
  // A sentence ends at ". " or at the end; not inside a version (v0.23.0) or a path (a/b.go).
  const m = /^.*?[.!?](?=\s|$)/s.exec(text.trim());
  return (m?.[0] ?? text).trim();
}

/**
 * The one line an editor pops up (Neovim's echo area, a toast): what is wrong and what to do,
 * without the evidence or long paths, which go to the log (window/logMessage) and the doctor.
 */
export function headline(finding: Finding): string {
  if (finding.severity === "info" && !finding.fix) return describe(finding);
  const whole = `gopls-guard [${finding.id}] ${finding.message}`;
  const what =
    whole.length <= HEADLINE_MAX
      ? whole
      : `gopls-guard [${finding.id}] ${firstSentence(finding.message)}`;
  const fix = finding.fix ? firstSentence(finding.fix) : "";
  const line =
    fix && what.length + fix.length + 1 <= HEADLINE_MAX
      ? `${what} ${fix}`
      : what.length <= HEADLINE_MAX
        ? what
        : `${what.slice(0, HEADLINE_MAX - 1)}…`;
  return redact(line);
}
