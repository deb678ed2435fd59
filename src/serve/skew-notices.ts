// What a session says when the workspace needs a newer Go than gopls was built with: the
// question (with the toolchain the go command will fetch, and its size), and the switch.

import { formatBytes } from "../bytes.js";
import type { Finding } from "../findings.js";
import type { ModuleGo } from "../go/module-go.js";
import type { Located } from "../gopls/launch.js";
import type { Toolchain } from "../gopls/skew.js";
import type { AfterReplay } from "./notices.js";

export interface SkewFacts {
  module: ModuleGo;
  from: Located;
  /** The Go the running gopls was built with: "go1.26". */
  builtWith: string;
}

export const BUILD_IT = "Build it";

/** The workspace needs a newer Go than gopls was built with: the fault, and the question. */
export function skewQuestion(f: SkewFacts, t: Toolchain): { finding: Finding; ask: string } {
  const size = t.bytes ? ` (${formatBytes(t.bytes)})` : "";
  return {
    finding: {
      id: "gopls.go_skew",
      severity: "warning",
      message: `${f.module.file} says go ${f.module.go}, but gopls ${f.from.version} was built with ${f.builtWith} and cannot load it.`,
      evidence: { gopls: f.from.path, toolchain: `${t.name}${size}` },
      fix: `Build the newest gopls for Go ${f.module.go} with ${t.name}: the go command downloads ${t.name}${size} through your module proxy; your Go stays as it is.`,
    },
    ask: "Build it?",
  };
}

export function skewSolved(f: SkewFacts, to: Located): AfterReplay {
  return (files) => ({
    id: "gopls.go_skew",
    severity: "info",
    message: `gopls ${to.version}, built for Go ${f.module.go}, runs for this workspace now (${f.module.file} says go ${f.module.go}); ${files} open file${files === 1 ? "" : "s"} handed to it.`,
    evidence: { gopls: to.path, was: `${f.from.version} (${f.builtWith})` },
    fix: "",
  });
}
