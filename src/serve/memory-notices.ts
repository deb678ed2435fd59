// What a session says about gopls's memory: the question past the soft limit, the restart past
// the hard one (or on the user's yes), and an out-of-memory kill named as such. Text only.

import { formatBytes } from "../bytes.js";
import type { Finding } from "../findings.js";
import type { AfterReplay } from "./notices.js";

export interface MemoryFacts {
  rss: number;
  limit: number;
  workspace: string | undefined;
  /** gopls's own memory profile, when it wrote one. */
  profile: string | undefined;
}

const where = (f: MemoryFacts) => (f.workspace ? ` for ${f.workspace}` : "");

/** Over the soft limit: the fault, and the question (restart it?) asked about it. */
export function memoryQuestion(f: MemoryFacts): { finding: Finding; ask: string } {
  return {
    finding: {
      id: "gopls.memory",
      severity: "warning",
      message: `gopls is using ${formatBytes(f.rss)}${where(f)}, over the soft limit of ${formatBytes(f.limit)} (GOPLS_GUARD_MEMORY_LIMIT).`,
      evidence: f.profile ? { "memory profile, for gopls's developers": f.profile } : {},
      fix: "Restart gopls to free it (open files, unsaved edits and settings are kept), or raise GOPLS_GUARD_MEMORY_LIMIT.",
    },
    ask: "Restart it?",
  };
}

export function memoryRestarted(f: MemoryFacts, hard: boolean): AfterReplay {
  return (files) => ({
    id: "gopls.memory",
    severity: hard ? "warning" : "info",
    message: hard
      ? `gopls used ${formatBytes(f.rss)}${where(f)}, over the hard limit of ${formatBytes(f.limit)}, and was restarted before the system ran out of memory; ${files} open file${files === 1 ? "" : "s"} restored.`
      : `gopls was restarted to free its ${formatBytes(f.rss)}; ${files} open file${files === 1 ? "" : "s"} restored.`,
    evidence: {
      ...(f.workspace ? { workspace: f.workspace } : {}),
      ...(f.profile ? { "memory profile": f.profile } : {}),
    },
    fix: hard
      ? "If it keeps happening, raise GOPLS_GUARD_MEMORY_LIMIT or narrow the workspace (directoryFilters), and report the memory profile to the gopls issue tracker."
      : "",
  });
}

/** How a SIGKILL reads when gopls's memory was high just before: most likely the OOM killer. */
export function killedForMemory(rss: number): string {
  return `was killed by SIGKILL, most likely by the system's out-of-memory killer (its last reading: ${formatBytes(rss)})`;
}
