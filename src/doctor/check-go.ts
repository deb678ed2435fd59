// The doctor's checks of the Go toolchain in use: GOROOT pointing elsewhere, a Windows Go under
// WSL, and Go settings that the login shell has and the editor lacks.

import fs from "node:fs";
import path from "node:path";
import type { Finding } from "../findings.js";
import type { GoEnv } from "../go/env.js";
import { loginShellProbe } from "../go/shell.js";
import type { DoctorSeams } from "./seams.js";

export function checkGoroot(s: DoctorSeams, go: string, ge: GoEnv): Finding[] {
  const set = s.env.GOROOT;
  if (!set) return [];
  let own = "";
  try {
    own = path.dirname(path.dirname(fs.realpathSync(go)));
  } catch {
    return [];
  }
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return p;
    }
  };
  if (real(set) === real(own)) return [];
  return [
    {
      id: "go.goroot_mismatch",
      severity: "error",
      message: "GOROOT is set to a directory that is not this go's own installation.",
      evidence: { GOROOT: set, "go binary": go, "its root": own, "go env GOROOT": ge.GOROOT },
      fix: "Unset GOROOT (the go command finds its own root): remove it from your shell profile or the editor's environment.",
    },
  ];
}

export function checkWsl(s: DoctorSeams, go: string, ge: GoEnv): Finding[] {
  const wsl =
    s.platform === "linux" &&
    (Boolean(s.env.WSL_DISTRO_NAME) || /microsoft|wsl/i.test(s.procVersion()));
  if (!wsl) return [];
  const out: Finding[] = [];
  if (
    go.startsWith("/mnt/") ||
    /\.exe$/i.test(go) ||
    ge.GOOS === "windows" ||
    ge.GOROOT.startsWith("/mnt/") ||
    ge.GOPATH.startsWith("/mnt/")
  ) {
    out.push({
      id: "go.wsl_windows_go",
      severity: "warning",
      message:
        "Under WSL the Go in use is the Windows one (or lives on the Windows drive): builds target Windows or crawl across the 9P bridge.",
      evidence: { go, GOOS: ge.GOOS, GOROOT: ge.GOROOT, GOPATH: ge.GOPATH },
      fix: "Install Linux Go inside WSL (https://go.dev/dl/, the linux-amd64 tarball into /usr/local/go) and put it first on PATH.",
    });
  }
  if (s.cwd.startsWith("/mnt/")) {
    out.push({
      id: "go.wsl_windows_go",
      severity: "info",
      message: "The workspace lives on the Windows drive (/mnt/...): file access from WSL is slow.",
      evidence: { workspace: s.cwd },
      fix: "Keep Go workspaces in the Linux file system (~/src/...).",
    });
  }
  return out;
}

/** Variables that change what go and gopls do, compared between the login shell and the editor. */
const DRIFT_VARS = [
  "GOPROXY",
  "GOPRIVATE",
  "GONOPROXY",
  "GONOSUMDB",
  "GOSUMDB",
  "GOFLAGS",
  "GOPATH",
  "GOROOT",
  "GOTOOLCHAIN",
  "GOINSECURE",
  "GOAUTH",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
];

/** go.shell_env_drift: the terminal's Go settings are not the editor's. */
export async function checkShellDrift(s: DoctorSeams): Promise<Finding[]> {
  const shell = await loginShellProbe(s.env.SHELL)();
  if (!shell) return [];
  const differ = DRIFT_VARS.filter((v) => (shell.env[v] ?? "") !== (s.env[v] ?? ""));
  if (differ.length === 0) return [];
  // What the shell sets can be adopted; what only the editor sets stays the editor's business.
  const adopt = Object.fromEntries(
    differ.flatMap((v) => (shell.env[v] ? [[v, shell.env[v] as string]] : [])),
  );
  const show = (v: string | undefined) => (v === undefined || v === "" ? "(unset)" : v);
  return [
    {
      id: "go.shell_env_drift",
      severity: "warning",
      message: `Your login shell sets Go settings the editor does not have, so gopls behaves differently from go in a terminal: ${differ.join(", ")}.`,
      evidence: Object.fromEntries(
        differ.map((v) => [v, `shell ${show(shell.env[v])}, editor ${show(s.env[v])}`]),
      ),
      fix: "Set them where the editor gets its environment too (e.g. `go env -w NAME=value` for GO* settings, which every go reads), or start the editor from that shell.",
      ...(Object.keys(adopt).length ? { adopt } : {}),
    },
  ];
}
