// What the guard remembers of a session so that a restarted gopls can be brought to where the
// dead one was: initialize and initialized as the editor sent them, the latest configuration,
// the workspace folders, every open document, and what the dead gopls had registered.

import { type OpenDocument, OpenDocuments, type PositionEncoding } from "./documents.js";

interface Folder {
  uri: string;
  name: string;
}

interface Registration {
  id: string;
  method: string;
}

const body = (message: object): Buffer => Buffer.from(JSON.stringify(message), "utf8");

export class SessionMemory {
  readonly documents = new OpenDocuments();
  private initialize: Record<string, unknown> | undefined;
  private initialized: Buffer | undefined;
  private configuration: Buffer | undefined;
  private initialFolders: Folder[] = [];
  private folders: Folder[] = [];
  private readonly registrations = new Map<string, Registration>();
  /** The encoding the guard promised the editor when it answered initialize itself. */
  private pinned: PositionEncoding | undefined;

  /** The workspace folders now, else the root the editor named, as URIs. */
  folderUris(): string[] {
    if (this.folders.length) return this.folders.map((f) => f.uri);
    const root = (this.initialize?.params as { rootUri?: unknown } | undefined)?.rootUri;
    return typeof root === "string" ? [root] : [];
  }

  /** What a gopls warmed for this workspace is given: the folders, the editor's options, the open files. */
  warmingInputs(): {
    folders: Folder[];
    initializationOptions: unknown;
    documents: OpenDocument[];
  } {
    const params = (this.initialize?.params ?? {}) as Record<string, unknown>;
    const folders = this.folders.length
      ? this.folders
      : this.folderUris().map((uri) => ({ uri, name: uri.slice(uri.lastIndexOf("/") + 1) }));
    return {
      folders: [...folders],
      initializationOptions: params.initializationOptions,
      documents: this.documents.all(),
    };
  }

  get documentCount(): number {
    return this.documents.size;
  }

  /** Takes note of an editor message; true when it changed remembered state. */
  editorMessage(method: string, json: Record<string, unknown>, raw: Buffer): boolean {
    const params = (json.params ?? {}) as Record<string, unknown>;
    switch (method) {
      case "initialize": {
        this.initialize = json;
        const folders = (params.workspaceFolders as Folder[] | null | undefined) ?? [];
        this.initialFolders = [...folders];
        this.folders = [...folders];
        return true;
      }
      // Copies: the bytes read may be views of a larger buffer (src/lsp/pipe-input.ts).
      case "initialized":
        this.initialized = Buffer.from(raw);
        return true;
      case "workspace/didChangeConfiguration":
        this.configuration = Buffer.from(raw);
        return true;
      case "workspace/didChangeWorkspaceFolders": {
        const event = (params.event ?? {}) as { added?: Folder[]; removed?: Folder[] };
        const removed = new Set((event.removed ?? []).map((f) => f.uri));
        this.folders = [...this.folders.filter((f) => !removed.has(f.uri)), ...(event.added ?? [])];
        return true;
      }
      case "textDocument/didOpen":
        this.documents.open(params as never);
        return true;
      case "textDocument/didChange":
        return this.documents.change(params as never);
      case "textDocument/didClose":
        this.documents.close(params as never);
        return true;
      default:
        return false;
    }
  }

  /**
   * The guard answered initialize for a gopls not running yet, promising this encoding: every
   * gopls started later is offered that one alone, so editor and gopls agree on positions.
   */
  pinEncoding(encoding: PositionEncoding): void {
    this.pinned = encoding;
    this.documents.encoding = encoding;
  }

  /** The position encoding gopls chose in its initialize result (unless one was promised). */
  initializeResult(result: unknown): void {
    if (this.pinned) return;
    const enc = (result as { capabilities?: { positionEncoding?: string } } | undefined)
      ?.capabilities?.positionEncoding;
    if (enc === "utf-8" || enc === "utf-32" || enc === "utf-16")
      this.documents.encoding = enc as PositionEncoding;
  }

  registered(params: unknown): void {
    for (const r of (params as { registrations?: Registration[] }).registrations ?? [])
      this.registrations.set(r.id, { id: r.id, method: r.method });
  }

  unregistered(params: unknown): void {
    for (const r of (params as { unregisterations?: Registration[] }).unregisterations ?? [])
      this.registrations.delete(r.id);
  }

  /** What the dead gopls registered, forgotten as it is handed back (to be unregistered). */
  takeRegistrations(): Registration[] {
    const all = [...this.registrations.values()];
    this.registrations.clear();
    return all;
  }

  /** The editor's initialize params for a later gopls: without its progress token (that request
   * was answered long ago), and held to the promised encoding. */
  private initializeParams(): unknown {
    const params = this.initialize?.params as Record<string, unknown> | undefined;
    if (!params) return params;
    const { workDoneToken: _, ...rest } = params;
    if (!this.pinned) return rest;
    const caps = (rest.capabilities ?? {}) as Record<string, unknown>;
    const general = (caps.general ?? {}) as Record<string, unknown>;
    return {
      ...rest,
      capabilities: { ...caps, general: { ...general, positionEncodings: [this.pinned] } },
    };
  }

  /** The messages that bring a new gopls to the dead one's state; initialize gets the given id. */
  replay(initializeId: string): Buffer[] {
    if (!this.initialize) return [];
    const out = [body({ ...this.initialize, id: initializeId, params: this.initializeParams() })];
    if (this.initialized) out.push(this.initialized);
    if (this.configuration) out.push(this.configuration);
    const now = new Set(this.folders.map((f) => f.uri));
    const then = new Set(this.initialFolders.map((f) => f.uri));
    const added = this.folders.filter((f) => !then.has(f.uri));
    const removed = this.initialFolders.filter((f) => !now.has(f.uri));
    if (added.length || removed.length) {
      out.push(
        body({
          jsonrpc: "2.0",
          method: "workspace/didChangeWorkspaceFolders",
          params: { event: { added, removed } },
        }),
      );
    }
    for (const doc of this.documents.all()) {
      out.push(
        body({ jsonrpc: "2.0", method: "textDocument/didOpen", params: { textDocument: doc } }),
      );
    }
    return out;
  }
}
