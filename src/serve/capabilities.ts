// The capabilities a gopls that is not running yet is announced with: those of the last gopls
// that started here (saved at each start), else those of gopls v0.23.0 (recorded from its
// initialize answer), so that when the real one arrives every feature is already switched on.

import fs from "node:fs";
import path from "node:path";
import type { Frame } from "../lsp/framing.js";
import { decode } from "./decode.js";
import { ALL_GUARD_COMMANDS } from "./held-faults.js";

/** gopls v0.23.0's initialize capabilities (they do not depend on the client's). */
export const GOPLS_CAPABILITIES: Record<string, unknown> = {
  textDocumentSync: {
    openClose: true,
    change: 2,
    save: {},
  },
  completionProvider: {
    triggerCharacters: ["."],
  },
  hoverProvider: true,
  signatureHelpProvider: {
    triggerCharacters: ["(", ","],
    retriggerCharacters: [")"],
  },
  definitionProvider: true,
  typeDefinitionProvider: true,
  implementationProvider: true,
  referencesProvider: true,
  documentHighlightProvider: true,
  documentSymbolProvider: true,
  codeActionProvider: true,
  codeLensProvider: {},
  documentLinkProvider: {},
  workspaceSymbolProvider: true,
  documentFormattingProvider: true,
  renameProvider: true,
  foldingRangeProvider: true,
  selectionRangeProvider: true,
  executeCommandProvider: {
    commands: [
      "gopls.add_dependency",
      "gopls.add_import",
      "gopls.add_telemetry_counters",
      "gopls.add_test",
      "gopls.apply_fix",
      "gopls.assembly",
      "gopls.change_signature",
      "gopls.check_upgrades",
      "gopls.client_open_url",
      "gopls.diagnose_files",
      "gopls.doc",
      "gopls.edit_go_directive",
      "gopls.extract_to_new_file",
      "gopls.fetch_vulncheck_result",
      "gopls.free_symbols",
      "gopls.gc_details",
      "gopls.generate",
      "gopls.go_get_package",
      "gopls.implement_interface",
      "gopls.list_imports",
      "gopls.list_known_packages",
      "gopls.lsp",
      "gopls.maybe_prompt_for_telemetry",
      "gopls.mem_stats",
      "gopls.modify_tags",
      "gopls.modules",
      "gopls.move_type",
      "gopls.package_symbols",
      "gopls.packages",
      "gopls.regenerate_cgo",
      "gopls.remove_dependency",
      "gopls.reset_go_mod_diagnostics",
      "gopls.run_go_work_command",
      "gopls.run_govulncheck",
      "gopls.run_tests",
      "gopls.scan_imports",
      "gopls.split_package",
      "gopls.start_debugging",
      "gopls.start_profile",
      "gopls.stop_profile",
      "gopls.tidy",
      "gopls.update_go_sum",
      "gopls.upgrade_dependency",
      "gopls.vendor",
      "gopls.views",
      "gopls.vulncheck",
      "gopls.workspace_stats",
    ],
  },
  callHierarchyProvider: true,
  typeHierarchyProvider: true,
  inlayHintProvider: {},
  workspace: {
    workspaceFolders: {
      supported: true,
      changeNotifications: "workspace/didChangeWorkspaceFolders",
    },
    fileOperations: {
      didCreate: {
        filters: [
          {
            scheme: "file",
            pattern: {
              glob: "**/*.go",
            },
          },
        ],
      },
    },
  },
  experimental: {
    interactiveResolveProvider: {
      kinds: ["command"],
    },
  },
};

function capabilitiesFile(home: string): string {
  return path.join(home, "state", "capabilities.json");
}

/** The capabilities of the gopls that just started, for the next start that cannot wait for one. */
export function saveCapabilities(home: string, result: unknown): void {
  const caps = (result as { capabilities?: unknown } | undefined)?.capabilities;
  if (!caps) return;
  try {
    fs.mkdirSync(path.dirname(capabilitiesFile(home)), { recursive: true });
    fs.writeFileSync(`${capabilitiesFile(home)}.${process.pid}`, JSON.stringify(caps));
    fs.renameSync(`${capabilitiesFile(home)}.${process.pid}`, capabilitiesFile(home));
  } catch {
    // Only a hint for a later start.
  }
}

export function loadCapabilities(home: string): Record<string, unknown> {
  try {
    const saved = JSON.parse(fs.readFileSync(capabilitiesFile(home), "utf8")) as unknown;
    if (saved && typeof saved === "object" && !Array.isArray(saved))
      return saved as Record<string, unknown>;
  } catch {
    // none saved, or unreadable: the recorded ones
  }
  return GOPLS_CAPABILITIES;
}

/** An initialize result with the guard's commands beside gopls's (executeCommandProvider). */
export function addGuardCommands(result: unknown): unknown {
  if (!result || typeof result !== "object") return result;
  const r = result as { capabilities?: Record<string, unknown> };
  const caps = r.capabilities ?? {};
  const provider = (caps.executeCommandProvider ?? {}) as { commands?: unknown };
  const theirs = Array.isArray(provider.commands) ? (provider.commands as string[]) : [];
  const commands = [...theirs, ...ALL_GUARD_COMMANDS.filter((c) => !theirs.includes(c))];
  return { ...r, capabilities: { ...caps, executeCommandProvider: { ...provider, commands } } };
}

/** gopls's answer to the editor's initialize, with the guard's commands added. */
export function withGuardCommands(frame: Frame): Frame {
  const json = decode(frame);
  if (!("result" in json)) return frame;
  const body = Buffer.from(JSON.stringify({ ...json, result: addGuardCommands(json.result) }));
  return { chunks: [body], length: body.length };
}
