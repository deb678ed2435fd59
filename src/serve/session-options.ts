// What a session is given (SessionOptions) and gives back (SessionEnd): the editor's streams,
// how gopls is resolved and started, and the seams the tests replace.

import type { Writable } from "node:stream";
import type { Config } from "../config.js";
import type { Finding, Result } from "../findings.js";
import type { ModuleGo } from "../go/module-go.js";
import type { InstallPhase } from "../gopls/install.js";
import type { Located } from "../gopls/launch.js";
import type { Toolchain } from "../gopls/skew.js";
import type { Logger } from "../log.js";
import type { ChunkSource } from "../lsp/pipe-input.js";
import type { SampleRss } from "./process-memory.js";
import type { RestartPolicy } from "./restart-policy.js";
import type { StartGopls } from "./supervisor.js";
import type { Updater } from "./update-flow.js";

/** How a session gets a gopls for a workspace whose go line is newer than its gopls's Go. */
export interface SkewBuilder {
  toolchainFor(module: ModuleGo): Promise<Result<Toolchain>>;
  /**
   * Whether the go a gopls gets with this environment loads the module (its own go commands
   * are what fail otherwise): undefined when it does, else go's words.
   */
  loads(module: ModuleGo, env: NodeJS.ProcessEnv): Promise<string | undefined>;
  build(
    toolchain: string,
    progress: (phase: InstallPhase, message: string) => void,
  ): Promise<Result<Located>>;
}

export interface ResolveHooks {
  report: (finding: Finding) => void;
  progress: (phase: InstallPhase, message: string) => void;
  /** Settings over the user's environment that the user consented to (adopted, or a mirror). */
  env: Record<string, string>;
}

export interface SessionOptions {
  config: Config;
  logger: Logger;
  logFile: string;
  /** The editor's messages: a stream, or the process's standard input (src/lsp/pipe-input.ts). */
  editorIn: ChunkSource;
  editorOut: Writable;
  /**
   * A shared gopls's session: its editor is many clients (src/shared/), so neither the editor's
   * process nor the guard's parent is watched; it ends when its last client has long left.
   */
  detached?: boolean;
  /** Decides, verifies and if needed installs the gopls to run; may take minutes. */
  resolve: (hooks: ResolveHooks) => Promise<Result<Located>>;
  goplsArgs: string[];
  goplsEnv: NodeJS.ProcessEnv;
  restartPolicy?: RestartPolicy;
  /**
   * gopls has answered the editor's initialize: once a session (a restarted gopls's answer to the
   * replayed one is not this).
   */
  onInitialized?: () => void;
  /** The checks that do not gate the start, given the version of the gopls that started. */
  postStartChecks?: (goplsVersion: string | undefined) => Promise<Finding[]>;
  /** How gopls is started (tests give a fake). */
  startGopls?: StartGopls;
  /** Whether a gopls binary is there (a seam beside startGopls: a fake gopls has no file). */
  goplsExists?: (path: string) => boolean;
  /** How gopls's resident memory is read (tests give a fake). */
  sampleRss?: SampleRss;
  /** Finds and installs a newer gopls in the background when the day-old decision is due. */
  updater?: Updater;
  /** Builds the gopls a workspace with a newer go line needs. */
  skew?: SkewBuilder;
}

export interface SessionEnd {
  reason: string;
  exitCode: number;
}
