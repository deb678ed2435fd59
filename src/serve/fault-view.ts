// The held faults in every client, as diagnostics and code actions: published on their targets
// merged with gopls's own diagnostics for the same file (gopls's last ones are kept, unparsed,
// across restarts), added to gopls's codeAction and pull-diagnostic answers for those files, and
// given by the guard itself while there is no gopls. Nothing is parsed unless a fault is held or
// gopls publishes for a file (its URI only, read at the head).

import type { EditorChannel } from "../lsp/editor-channel.js";
import { type Frame, frameBody } from "../lsp/framing.js";
import type { MessageId } from "../lsp/message.js";
import type { ClientView } from "./client-view.js";
import { decode } from "./decode.js";
import {
  type CodeAction,
  codeActionsOf,
  type Diagnostic,
  diagnosticOf,
  faultTargets,
  shownAsDiagnostic,
} from "./fault-diagnostics.js";
import type { HeldFaults } from "./held-faults.js";

export interface FaultViewOptions {
  editor: EditorChannel;
  held: HeldFaults;
  view: () => ClientView;
  /** The workspace folders' URIs (or the root URI). */
  folders: () => string[];
  /** The URIs of the open documents. */
  openDocuments: () => string[];
}

/** gopls writes {"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":… */
const HEAD_URI = /"params":\{"uri":"([^"\\]{1,2048})"/;
const EMPTY_TAIL = '"diagnostics":[]}}';

type Noted = { kind: "code-action" | "pull"; uri: string };

const full = (body: Buffer): Frame => ({ chunks: [body], length: body.length });
const encode = (message: object): Frame => full(Buffer.from(JSON.stringify(message), "utf8"));

export class FaultView {
  /** gopls's last publication per file, as it sent it (none kept for files it cleared). */
  private readonly goplsLast = new Map<string, Buffer>();
  /** The guard's diagnostics now out, per file, and what each offers. */
  private published = new Map<string, Array<{ diagnostic: Diagnostic; actions: CodeAction[] }>>();
  /** Editor requests whose answers get the guard's part. */
  private readonly noted = new Map<MessageId, Noted>();
  /** Some published diagnostic offers actions: only then are code-action requests read. */
  private actionsOut = false;
  private pulled = false;

  constructor(private readonly o: FaultViewOptions) {}

  /** Held faults, folders or open files changed: the client gets what differs. */
  refresh(): void {
    const { held } = this.o;
    if (held.size === 0 && this.published.size === 0) return;
    const next = new Map<string, Array<{ diagnostic: Diagnostic; actions: CodeAction[] }>>();
    const shown = held.list().filter(shownAsDiagnostic);
    const folders = this.o.folders();
    const open = this.o.openDocuments();
    const { onlyDiagnostics } = this.o.view();
    // Where faults go, and where those that turn Go features off go too: looked up once.
    const usual = faultTargets(folders, open, onlyDiagnostics);
    const featuresOff = onlyDiagnostics ? usual : faultTargets(folders, open, true);
    for (const h of shown) {
      const diagnostic = diagnosticOf(h);
      const entry = { diagnostic, actions: codeActionsOf(h, diagnostic) };
      for (const uri of h.featuresOff ? featuresOff : usual) {
        const list = next.get(uri) ?? [];
        list.push(entry);
        next.set(uri, list);
      }
    }
    let changed = false;
    for (const uri of new Set([...this.published.keys(), ...next.keys()])) {
      const before = JSON.stringify(this.published.get(uri)?.map((e) => e.diagnostic) ?? []);
      const after = next.get(uri)?.map((e) => e.diagnostic) ?? [];
      if (before === JSON.stringify(after)) continue;
      changed = true;
      this.o.editor.notify("textDocument/publishDiagnostics", {
        uri,
        diagnostics: [...this.goplsDiagnostics(uri), ...after],
      });
    }
    this.published = next;
    this.actionsOut = shown.some((h) => h.actions.length > 0);
    if (changed && this.pulled && this.o.view().diagnosticRefresh)
      void this.o.editor.request("workspace/diagnostic/refresh", null);
  }

  /** gopls's publication: kept as its last for the file; the guard's appended if it has some. */
  fromGopls(frame: Frame): Frame {
    const first = frame.chunks[0];
    const head = first?.toString("latin1", 0, Math.min(first.length, 2400)) ?? "";
    let uri = HEAD_URI.exec(head)?.[1];
    let params: { uri?: unknown; diagnostics?: unknown[] } | undefined;
    if (uri === undefined) {
      params = decode(frame).params as typeof params;
      if (typeof params?.uri !== "string") return frame;
      uri = params.uri;
    }
    const body = frameBody(frame);
    if (body.toString("latin1", body.length - EMPTY_TAIL.length) === EMPTY_TAIL)
      this.goplsLast.delete(uri);
    else this.goplsLast.set(uri, Buffer.from(body));
    const ours = this.published.get(uri);
    if (!ours?.length) return frame;
    const json = decode(frame);
    const p = json.params as { diagnostics?: unknown[] };
    return encode({
      ...json,
      params: { ...p, diagnostics: [...(p.diagnostics ?? []), ...ours.map((e) => e.diagnostic)] },
    });
  }

  /**
   * An editor request gopls will answer (textDocument/codeAction, textDocument/diagnostic):
   * noted when the file carries the guard's diagnostics; a pull asks gopls for the full report
   * (the guard's part may have changed since the client's last result).
   */
  editorRequest(kind: Noted["kind"], id: MessageId, frame: Frame): Frame {
    if (kind === "pull") this.pulled = true;
    if (kind === "code-action" ? !this.actionsOut : this.published.size === 0) return frame;
    const json = decode(frame);
    const params = (json.params ?? {}) as { textDocument?: { uri?: unknown } };
    const uri = params.textDocument?.uri;
    if (typeof uri !== "string" || !this.published.has(uri)) return frame;
    if (kind === "code-action" && !this.offersActions(uri, params)) return frame;
    this.noted.set(id, { kind, uri });
    if (kind !== "pull" || !("previousResultId" in params)) return frame;
    const { previousResultId: _, ...rest } = params as Record<string, unknown>;
    return encode({ ...json, params: rest });
  }

  /** gopls's answer to an editor request: the guard's part added where it was noted. */
  goplsAnswer(id: MessageId, frame: Frame): Frame {
    const noted = this.noted.get(id);
    if (!noted) return frame;
    this.noted.delete(id);
    const json = decode(frame);
    if (!("result" in json)) return frame;
    return encode({ ...json, result: this.merged(noted, json.result) });
  }

  /** The answer the guard gives itself while there is no gopls (undefined: not its to give). */
  standInAnswer(method: string, params: unknown): { result: unknown } | undefined {
    const p = (params ?? {}) as { textDocument?: { uri?: unknown } };
    const uri = typeof p.textDocument?.uri === "string" ? p.textDocument.uri : "";
    if (method === "textDocument/codeAction") {
      const ok = this.wantsQuickFixes(p as Record<string, unknown>);
      return { result: ok ? this.merged({ kind: "code-action", uri }, null) : [] };
    }
    if (method === "textDocument/diagnostic") {
      this.pulled = true;
      return { result: this.merged({ kind: "pull", uri }, { kind: "full", items: [] }) };
    }
    return undefined;
  }

  private merged(noted: Noted, result: unknown): unknown {
    const ours = this.published.get(noted.uri) ?? [];
    if (noted.kind === "pull") {
      const r = result as { kind?: string; items?: unknown[] } | null;
      if (r?.kind !== "full") return result;
      return { ...r, items: [...(r.items ?? []), ...ours.map((e) => e.diagnostic)] };
    }
    const actions = ours.flatMap((e) => e.actions);
    const mine = this.o.view().codeActionLiterals ? actions : actions.map((a) => a.command);
    if (result !== null && !Array.isArray(result)) return result;
    return [...(result ?? []), ...mine];
  }

  private offersActions(uri: string, params: Record<string, unknown>): boolean {
    const ours = this.published.get(uri) ?? [];
    return ours.some((e) => e.actions.length > 0) && this.wantsQuickFixes(params);
  }

  /** The request does not restrict kinds to ones a quick fix is not. */
  private wantsQuickFixes(params: Record<string, unknown>): boolean {
    const only = (params.context as { only?: unknown } | undefined)?.only;
    return !Array.isArray(only) || only.some((k) => k === "quickfix" || k === "");
  }

  /** gopls's last diagnostics for a file, parsed now (a fault was published there). */
  private goplsDiagnostics(uri: string): unknown[] {
    const body = this.goplsLast.get(uri);
    if (!body) return [];
    const params = decode(full(body)).params as { diagnostics?: unknown[] } | undefined;
    return params?.diagnostics ?? [];
  }
}
