// The shape of `gopls-guard doctor --json` that tests read (README § Doctor has the schema).

export interface DoctorReport {
  ok: boolean;
  findings: Array<{
    id: string;
    severity: string;
    message: string;
    evidence: Record<string, string>;
    fix: string;
  }>;
  facts: {
    go?: { path: string; source: string; version: string; goplsPATH?: string };
    gopls?: { path: string; version?: string; builtWith?: string; module?: string };
    probes: Array<{ url: string; status?: number; error?: string; ms: number }>;
    sumdb?: {
      url: string;
      through: string;
      status?: number;
      compared?: { version: string; same: boolean };
    };
  };
  ms: number;
}

/** The report a doctor run printed, whether it exited 0 or 1. */
export function parseReport(run: { stdout: string }): DoctorReport {
  return JSON.parse(run.stdout) as DoctorReport;
}
