// Faults as values: every problem the guard reports carries a stable id from FAULTS.md
// (or the guard's own lsp./guard./config. ids), a one-line message, its evidence and the fix.

export type Severity = "error" | "warning" | "info";

export interface Finding {
  id: string;
  severity: Severity;
  message: string;
  evidence: Record<string, string>;
  fix: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; finding: Finding };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(finding: Finding): Result<T> {
  return { ok: false, finding };
}

/** The one-paragraph text an editor shows: what is wrong, the evidence, the fix. */
export function describe(finding: Finding): string {
  const evidence = Object.entries(finding.evidence)
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");
  const parts = [finding.message];
  if (evidence) parts.push(`(${evidence})`);
  if (finding.fix) parts.push(`Fix: ${finding.fix}`);
  return `gopls-guard [${finding.id}] ${parts.join(" ")}`;
}
