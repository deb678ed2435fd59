// What a client can be shown, from what it declared at initialize: message requests with buttons
// only where it declares window.showMessage; progress on a token of the guard's own where it
// declares window.workDoneProgress; code actions as literals or as bare commands.

export interface ClientView {
  /** It declares capabilities.window.showMessage: window/showMessageRequest gets buttons. */
  messageRequests: boolean;
  /** It declares window.workDoneProgress: window/workDoneProgress/create is understood. */
  workDoneProgress: boolean;
  /** It takes CodeAction literals (else code actions are answered as bare Commands). */
  codeActionLiterals: boolean;
  /** It answers workspace/configuration (declares workspace.configuration). */
  configuration: boolean;
  /** It re-pulls diagnostics on workspace/diagnostic/refresh. */
  diagnosticRefresh: boolean;
  /**
   * It declares neither message requests nor workspace commands (a headless agent's client,
   * which may declare code actions it never asks for): it reads diagnostics and nothing else, so
   * every fault goes where it reads them, the open Go files.
   */
  onlyDiagnostics: boolean;
}

/** Before initialize (or for a client that declares nothing): the least a client shows. */
export const NOTHING_DECLARED: ClientView = {
  messageRequests: false,
  workDoneProgress: false,
  codeActionLiterals: false,
  configuration: false,
  diagnosticRefresh: false,
  onlyDiagnostics: false,
};

interface Declared {
  window?: { showMessage?: unknown; workDoneProgress?: unknown };
  workspace?: {
    configuration?: unknown;
    diagnostics?: { refreshSupport?: unknown };
    executeCommand?: unknown;
  };
  textDocument?: { codeAction?: { codeActionLiteralSupport?: unknown } };
}

export function clientView(capabilities: unknown): ClientView {
  const c = (capabilities && typeof capabilities === "object" ? capabilities : {}) as Declared;
  const showMessage = c.window?.showMessage;
  const messageRequests = typeof showMessage === "object" && showMessage !== null;
  return {
    messageRequests,
    workDoneProgress: c.window?.workDoneProgress === true,
    codeActionLiterals: Boolean(c.textDocument?.codeAction?.codeActionLiteralSupport),
    configuration: c.workspace?.configuration === true,
    diagnosticRefresh: c.workspace?.diagnostics?.refreshSupport === true,
    onlyDiagnostics: !messageRequests && !c.workspace?.executeCommand,
  };
}
