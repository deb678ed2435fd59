// A real LSP client (vscode-jsonrpc, as VS Code uses) over a spawned server's stdio: the same
// code talks to gopls directly and to the guard, so their answers can be compared.

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import {
  createMessageConnection,
  type MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-jsonrpc/node";

export interface Client {
  connection: MessageConnection;
  child: ChildProcessWithoutNullStreams;
  /** Every publishDiagnostics, in order, by URI. */
  diagnostics: Map<string, unknown[][]>;
  shown: Array<{ type: number; message: string }>;
  /** What the server logged to the client (window/logMessage). */
  logged: string[];
  /** Active dynamic registrations, by id; and every id registered while already active. */
  registrations: Map<string, string>;
  duplicateRegistrations: string[];
  close(): Promise<number | null>;
}

export function startClient(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  /** What it answers for each workspace/configuration item (its gopls settings). */
  settings: unknown = {},
): Client {
  const child = spawn(command, args, { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
  child.stderr.resume();
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const diagnostics = new Map<string, unknown[][]>();
  const shown: Array<{ type: number; message: string }> = [];
  connection.onNotification(
    "textDocument/publishDiagnostics",
    (p: { uri: string; diagnostics: unknown[] }) => {
      diagnostics.set(p.uri, [...(diagnostics.get(p.uri) ?? []), p.diagnostics]);
    },
  );
  connection.onNotification("window/showMessage", (p: { type: number; message: string }) => {
    shown.push(p);
  });
  const logged: string[] = [];
  connection.onNotification("window/logMessage", (p: { message: string }) => {
    logged.push(p.message);
  });
  connection.onRequest("workspace/configuration", (p: { items: unknown[] }) =>
    p.items.map(() => settings),
  );
  const registrations = new Map<string, string>();
  const duplicateRegistrations: string[] = [];
  connection.onRequest(
    "client/registerCapability",
    (p: { registrations: Array<{ id: string; method: string }> }) => {
      for (const r of p.registrations) {
        if (registrations.has(r.id) || [...registrations.values()].includes(r.method))
          duplicateRegistrations.push(`${r.id} ${r.method}`);
        registrations.set(r.id, r.method);
      }
      return null;
    },
  );
  connection.onRequest(
    "client/unregisterCapability",
    (p: { unregisterations: Array<{ id: string }> }) => {
      for (const r of p.unregisterations) registrations.delete(r.id);
      return null;
    },
  );
  connection.onRequest("window/workDoneProgress/create", () => null);
  connection.onRequest("window/showMessageRequest", () => null);
  connection.listen();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    connection,
    child,
    diagnostics,
    shown,
    logged,
    registrations,
    duplicateRegistrations,
    async close() {
      await connection.sendRequest("shutdown");
      await connection.sendNotification("exit");
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
}

export function initializeParams(rootDir: string, processId = process.pid): object {
  const rootUri = `file://${rootDir}`;
  return {
    processId,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: "fixture" }],
    capabilities: {
      workspace: {
        configuration: true,
        workspaceFolders: true,
        didChangeConfiguration: { dynamicRegistration: true },
      },
      textDocument: {
        synchronization: { dynamicRegistration: true, didSave: true },
        hover: { contentFormat: ["markdown", "plaintext"] },
        completion: {
          completionItem: { snippetSupport: false, documentationFormat: ["markdown"] },
        },
        definition: { linkSupport: false },
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        formatting: {},
        publishDiagnostics: { relatedInformation: true },
      },
      window: { workDoneProgress: true, showMessage: {} },
    },
  };
}
