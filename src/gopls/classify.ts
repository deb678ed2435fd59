// go's failure output → one Finding with a FAULTS.md id, the evidence and the fix. Pure:
// a table of what go prints for each fault, most specific first.

import type { Finding } from "../findings.js";
import { proxyOffFix, type SettingSource, settingSource } from "../go/setting-source.js";

export interface GoFailure {
  command: string;
  output: string;
  exitCode: number | undefined;
  timedOut: boolean;
  logFile: string;
  env: { GOPROXY: string; GOSUMDB: string; GOFLAGS: string; GOCACHE: string; GOMODCACHE: string };
  /** Where GOPROXY comes from, so that its fix works there. */
  goproxyFrom?: SettingSource;
}

/** The last lines that say something (go prefixes its errors; downloads are noise). */
export function meaningfulTail(output: string, n = 4): string {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("go: downloading") && !l.startsWith("go: finding"));
  return lines.slice(-n).join(" | ");
}

/** classifyGoFailure for a go run that failed: its output, exit and timing. */
export function classifyRun(
  args: string[],
  r: {
    spawnError: string | undefined;
    stderr: string;
    stdout: string;
    exitCode: number | undefined;
    timedOut: boolean;
  },
  logFile: string,
  env: GoFailure["env"] & { GOENV?: string },
  user?: NodeJS.ProcessEnv,
): Finding {
  return classifyGoFailure({
    command: `go ${args.join(" ")}`,
    output: r.spawnError ?? `${r.stderr}\n${r.stdout}`,
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    logFile,
    env,
    ...(user ? { goproxyFrom: settingSource("GOPROXY", user, env.GOENV) } : {}),
  });
}

export function classifyGoFailure(f: GoFailure): Finding {
  const out = f.output;
  const tail = meaningfulTail(out);
  const evidence = (extra: Record<string, string> = {}) => ({
    command: f.command,
    "go said": tail,
    ...extra,
    log: f.logFile,
  });
  const proxy = f.env.GOPROXY.split(/[,|]/)[0] ?? f.env.GOPROXY;
  if (f.timedOut) {
    return {
      id: "install.failed",
      severity: "error",
      message: "go did not finish in time.",
      evidence: evidence(),
      fix: "Check the network and the proxy (gopls-guard doctor), then retry.",
    };
  }
  if (/SECURITY ERROR|checksum mismatch/.test(out)) {
    return {
      id: "sumdb.mismatch",
      severity: "error",
      message:
        "A downloaded module does not match the checksum database: it may have been tampered with, or the module cache is corrupt.",
      evidence: evidence({ GOPROXY: f.env.GOPROXY }),
      fix: "Do not turn verification off. Run `go clean -modcache`, check that GOPROXY is a proxy you trust, and retry.",
    };
  }
  if (
    /server misbehavior detected|note has no verifiable signatures|invalid signature for key/.test(
      out,
    )
  ) {
    return {
      id: "sumdb.mismatch",
      severity: "error",
      message:
        "The checksum database's answer does not verify: it is not signed by the key go expects, or it contradicts what this machine saw from it before.",
      evidence: evidence({ GOSUMDB: f.env.GOSUMDB || "sum.golang.org" }),
      fix: "Do not turn verification off. Check GOSUMDB (name and key) and any proxy in between; a database that changed its history is reported to its operator.",
    };
  }
  if (
    /verifying [^\n]*(sum\.golang\.org|sumdb|GOSUMDB|\/lookup\/)|(sum\.golang\.org|sum\.golang\.google\.cn)[^\n]*(dial tcp|timeout|refused|no such host)/.test(
      out,
    )
  ) {
    return {
      id: "sumdb.unreachable",
      severity: "error",
      message: "The checksum database cannot be reached, so go cannot verify gopls's modules.",
      evidence: evidence({ GOSUMDB: f.env.GOSUMDB || "sum.golang.org" }),
      fix: "Use a proxy that also serves the checksum database (e.g. `go env -w GOPROXY=https://goproxy.cn,direct`) or `go env -w GOSUMDB=sum.golang.google.cn`. Do not set GOSUMDB=off for public modules.",
    };
  }
  const toolchain = /requires go >= ([\d.]+\w*) \(running go ([\d.]+\w*)/.exec(out);
  if (toolchain || /go: downloading go1[\d.]+ /.test(out)) {
    return {
      id: "go.toolchain_switch",
      severity: "error",
      message: toolchain
        ? `This gopls needs Go ${toolchain[1]}; the local Go is ${toolchain[2]}.`
        : "go tried to download a newer Go toolchain to build gopls.",
      evidence: evidence(),
      fix: "Upgrade Go (https://go.dev/dl/), or pin an older gopls with GOPLS_GUARD_GOPLS_VERSION.",
    };
  }
  if (/GOPROXY=off|module lookup disabled/.test(out)) {
    return {
      id: "proxy.off",
      severity: "error",
      message: "Module downloads are turned off (GOPROXY=off), so gopls cannot be fetched.",
      evidence: evidence({
        GOPROXY: f.env.GOPROXY,
        ...(f.goproxyFrom ? { "set in": f.goproxyFrom } : {}),
      }),
      fix: proxyOffFix(f.goproxyFrom ?? "go env file"),
    };
  }
  if (/x509:|certificate signed by unknown authority|tls: failed to verify/.test(out)) {
    return {
      id: "proxy.tls",
      severity: "error",
      message: "go does not trust the TLS certificate of the module proxy.",
      evidence: evidence({ GOPROXY: f.env.GOPROXY }),
      fix: "If a corporate firewall inspects TLS, install its CA certificate in the system store (or point SSL_CERT_FILE at it). Never turn verification off. `gopls-guard doctor` names the certificate's issuer.",
    };
  }
  if (/407 Proxy Authentication Required|proxyconnect tcp/.test(out)) {
    return {
      id: "proxy.http_proxy_broken",
      severity: "error",
      message: "The HTTP(S) proxy go is told to use refuses or fails the connection.",
      evidence: evidence({
        HTTPS_PROXY: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? "(unset)",
      }),
      fix: "Fix HTTPS_PROXY/HTTP_PROXY (credentials: http://user:pass@host:port), or unset them if no proxy is needed.",
    };
  }
  if (
    /dial tcp|i\/o timeout|connection refused|no such host|TLS handshake timeout|connection reset|network is unreachable/.test(
      out,
    )
  ) {
    return {
      id: "proxy.unreachable",
      severity: "error",
      message: `The module proxy ${proxy} cannot be reached.`,
      evidence: evidence({ GOPROXY: f.env.GOPROXY }),
      fix: "Check the network. Where proxy.golang.org is blocked, use a reachable mirror: `go env -w GOPROXY=https://goproxy.cn,direct`.",
    };
  }
  if (/unexpected status \((403|404|410)|reading .* (403|401) |text\/html/.test(out)) {
    return {
      id: "proxy.intercepted",
      severity: "error",
      message: "Something between go and the module proxy answered instead of the proxy.",
      evidence: evidence({ GOPROXY: f.env.GOPROXY }),
      fix: "A firewall or captive portal is likely: log in to the network, or ask for the proxy to be allowed; `gopls-guard doctor` shows the answer.",
    };
  }
  if (/no space left on device/.test(out)) {
    return {
      id: "fs.no_space",
      severity: "error",
      message: "The disk filled up while go was building gopls.",
      evidence: evidence({ GOCACHE: f.env.GOCACHE, GOMODCACHE: f.env.GOMODCACHE }),
      fix: "Free some space (`go clean -cache` frees the build cache), then retry.",
    };
  }
  if (
    /read-only file system|permission denied/.test(out) &&
    /(mkdir|open|rename) (\S*)/.test(out)
  ) {
    return {
      id: "fs.cache_unwritable",
      severity: "error",
      message: "go cannot write to its build or module cache.",
      evidence: evidence({ GOCACHE: f.env.GOCACHE, GOMODCACHE: f.env.GOMODCACHE }),
      fix: "Make GOCACHE and GOMODCACHE writable by you (`chown -R $USER` them), or point them at writable directories.",
    };
  }

  if (
    /cannot use path@version syntax in GOPATH mode|-mod=|cannot install cross-compiled binaries/.test(
      out,
    )
  ) {
    return {
      id: "install.env_interference",
      severity: "error",
      message: "The Go environment stops `go install pkg@version` from working.",
      evidence: evidence({ GOFLAGS: f.env.GOFLAGS }),
      fix: "Check GO111MODULE, GOFLAGS, GOOS and GOARCH in `go env`.",
    };
  }
  return {
    id: "install.failed",
    severity: "error",
    message: `${f.command} failed${f.exitCode !== undefined ? ` (exit code ${f.exitCode})` : ""}.`,
    evidence: evidence(),
    fix: "See go's output in the log; `gopls-guard doctor` checks the usual causes.",
  };
}
