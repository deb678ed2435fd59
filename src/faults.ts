// Every fault id the guard can report, in one typed table that mirrors FAULTS.md (and the README's
// "Fault ids and what to do" for the guard's own): a finding with an id not listed does not compile.

export type Severity = "error" | "warning" | "info";

export interface Fault {
  /** The severity it usually has; a check may say it louder or softer for what it found. */
  severity: Severity;
  /** What is wrong, in a few words (FAULTS.md's "fault" column, shortened). */
  title: string;
  /** Where a person reads about it: the catalogue section, or the README for the guard's own. */
  doc: string;
}

const TOOLCHAIN = "FAULTS.md §1 The Go toolchain";
const WRITES = "FAULTS.md §2 Where things are written";
const NETWORK = "FAULTS.md §3 The network between go and the module proxy";
const BINARY = "FAULTS.md §4 The gopls binary itself";
const INSTALL = "FAULTS.md §5 The install process";
const README = "README.md, Fault ids and what to do";

export const FAULTS = {
  "go.missing": { severity: "error", title: "no go on the editor's PATH", doc: TOOLCHAIN },
  "go.too_old": {
    severity: "info",
    title: "the local Go is older than the gopls wanted",
    doc: TOOLCHAIN,
  },
  "go.toolchain_switch": {
    severity: "error",
    title: "building gopls would need a newer Go toolchain",
    doc: TOOLCHAIN,
  },
  "go.goroot_mismatch": {
    severity: "error",
    title: "GOROOT is not the running go's root, or does not exist",
    doc: TOOLCHAIN,
  },
  "go.wsl_windows_go": {
    severity: "warning",
    title: "under WSL, the Windows go (or a workspace under /mnt/) is in use",
    doc: TOOLCHAIN,
  },
  "go.shell_env_drift": {
    severity: "warning",
    title: "the login shell sets Go settings the editor's environment lacks",
    doc: TOOLCHAIN,
  },
  "go.broken_wrapper": {
    severity: "error",
    title: "the go on PATH is a shim or wrapper that does not work as go",
    doc: TOOLCHAIN,
  },
  "go.goflags_vendor": {
    severity: "warning",
    title: "GOFLAGS=-mod=vendor without vendor/modules.txt",
    doc: README,
  },
  "fs.install_dir_unwritable": {
    severity: "warning",
    title: "the install dir is not writable",
    doc: WRITES,
  },
  "fs.cache_unwritable": {
    severity: "warning",
    title: "GOCACHE or GOMODCACHE is not writable",
    doc: WRITES,
  },
  "fs.foreign_owner": {
    severity: "warning",
    title: "a directory the guard writes belongs to another user",
    doc: WRITES,
  },
  "fs.unsafe_binary": {
    severity: "error",
    title: "gopls or its directory is writable by others",
    doc: WRITES,
  },
  "fs.no_space": { severity: "error", title: "the disk is full", doc: WRITES },
  "proxy.off": { severity: "error", title: "go is told not to use a module proxy", doc: NETWORK },
  "proxy.unreachable": {
    severity: "error",
    title: "the module proxy cannot be reached",
    doc: NETWORK,
  },
  "proxy.tls": {
    severity: "error",
    title: "the proxy's certificate is not trusted",
    doc: NETWORK,
  },
  "proxy.intercepted": {
    severity: "error",
    title: "something else answers instead of the proxy",
    doc: NETWORK,
  },
  "proxy.http_proxy_broken": {
    severity: "error",
    title: "HTTPS_PROXY/HTTP_PROXY does not answer or needs auth",
    doc: NETWORK,
  },
  "sumdb.unreachable": {
    severity: "error",
    title: "the checksum database cannot be reached",
    doc: NETWORK,
  },
  "sumdb.mismatch": {
    severity: "error",
    title: "a module differs from what the checksum database says",
    doc: NETWORK,
  },
  "gopls.missing": { severity: "error", title: "no gopls installed", doc: BINARY },
  "gopls.wrong_version": {
    severity: "warning",
    title: "the installed gopls is not the version wanted",
    doc: BINARY,
  },
  "gopls.stale_build": {
    severity: "warning",
    title: "gopls was built by an older Go",
    doc: BINARY,
  },
  "gopls.not_gopls": {
    severity: "warning",
    title: "the file at the gopls path is not gopls",
    doc: BINARY,
  },
  "gopls.path_shadow": {
    severity: "info",
    title: "a different gopls comes first on PATH",
    doc: BINARY,
  },
  "gopls.crash": {
    severity: "warning",
    title: "gopls exited while serving",
    doc: BINARY,
  },
  "gopls.cache_unavailable": {
    severity: "error",
    title: "gopls cannot use its persistent cache",
    doc: BINARY,
  },
  "gopls.runtime_env": {
    severity: "error",
    title: "a malformed Go runtime variable (GOMEMLIMIT) kills gopls at start",
    doc: BINARY,
  },
  "gopls.retry": { severity: "info", title: "Retry worked: gopls runs now", doc: README },
  "gopls.memory": {
    severity: "warning",
    title: "gopls's memory passed the soft limit (asked) or the hard one (restarted)",
    doc: README,
  },
  "gopls.go_skew": {
    severity: "warning",
    title: "the workspace's go line is newer than the Go gopls was built with",
    doc: README,
  },
  "gopls.update": {
    severity: "info",
    title: "a newer gopls was installed in the background (Switch now, or at the next start)",
    doc: README,
  },
  "gopls.stalled": {
    severity: "warning",
    title: "gopls stopped writing halfway through a message: restarted",
    doc: README,
  },
  "install.env_interference": {
    severity: "info",
    title: "settings that break go install were overridden",
    doc: INSTALL,
  },
  "install.concurrent": {
    severity: "info",
    title: "several guards install at once",
    doc: INSTALL,
  },
  "install.interrupted": {
    severity: "info",
    title: "an install was killed midway",
    doc: INSTALL,
  },
  "install.failed": { severity: "error", title: "go install failed", doc: INSTALL },
  "guard.recursion": {
    severity: "error",
    title: "the gopls to run is the guard itself",
    doc: README,
  },
  "lsp.malformed_frame": {
    severity: "error",
    title: "a frame header that is not LSP",
    doc: README,
  },
  "lsp.message_too_large": {
    severity: "error",
    title: "a message larger than GOPLS_GUARD_MAX_MESSAGE_BYTES",
    doc: README,
  },
  "lsp.malformed_message": {
    severity: "error",
    title: "a body that is not a valid JSON-RPC message",
    doc: README,
  },
  "config.invalid": {
    severity: "warning",
    title: "a setting or config-file key was ignored",
    doc: README,
  },
} as const satisfies Record<string, Fault>;

export type FaultId = keyof typeof FAULTS;

export const FAULT_IDS = Object.keys(FAULTS) as FaultId[];

export function isFaultId(id: string): id is FaultId {
  return Object.hasOwn(FAULTS, id);
}
