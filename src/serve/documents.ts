// The editor's open documents as gopls last saw them: didOpen, didChange and didClose applied
// exactly as LSP defines them (incremental ranges in the negotiated position encoding), so a
// restarted gopls can be handed every open file with its unsaved text and version.

import { TextDocument } from "vscode-languageserver-textdocument";

export type PositionEncoding = "utf-16" | "utf-8" | "utf-32";

interface Position {
  line: number;
  character: number;
}

interface Change {
  range?: { start: Position; end: Position };
  text: string;
}

export interface OpenDocument {
  uri: string;
  languageId: string;
  version: number;
  text: string;
}

export class OpenDocuments {
  private readonly docs = new Map<string, TextDocument>();
  encoding: PositionEncoding = "utf-16";

  get size(): number {
    return this.docs.size;
  }

  open(p: { textDocument: OpenDocument }): void {
    const d = p.textDocument;
    this.docs.set(d.uri, TextDocument.create(d.uri, d.languageId, d.version, d.text));
  }

  /** False when the document is not open (the change cannot be applied). */
  change(p: { textDocument: { uri: string; version: number }; contentChanges: Change[] }): boolean {
    let doc = this.docs.get(p.textDocument.uri);
    if (!doc) return false;
    for (const change of p.contentChanges) {
      const converted =
        change.range && this.encoding !== "utf-16"
          ? {
              ...change,
              range: {
                start: this.toUtf16(doc, change.range.start),
                end: this.toUtf16(doc, change.range.end),
              },
            }
          : change;
      doc = TextDocument.update(doc, [converted], p.textDocument.version);
    }
    this.docs.set(p.textDocument.uri, doc);
    return true;
  }

  close(p: { textDocument: { uri: string } }): void {
    this.docs.delete(p.textDocument.uri);
  }

  all(): OpenDocument[] {
    return [...this.docs.values()].map((d) => ({
      uri: d.uri,
      languageId: d.languageId,
      version: d.version,
      text: d.getText(),
    }));
  }

  uris(): string[] {
    return [...this.docs.keys()];
  }

  get(uri: string): OpenDocument | undefined {
    const d = this.docs.get(uri);
    return d && { uri: d.uri, languageId: d.languageId, version: d.version, text: d.getText() };
  }

  /** A UTF-8 or UTF-32 column on a line → the UTF-16 column TextDocument works in. */
  private toUtf16(doc: TextDocument, pos: Position): Position {
    const lineText = doc.getText({
      start: { line: pos.line, character: 0 },
      end: { line: pos.line + 1, character: 0 },
    });
    let units = 0;
    let utf16 = 0;
    for (const ch of lineText) {
      if (units >= pos.character) break;
      const cp = ch.codePointAt(0) as number;
      units +=
        this.encoding === "utf-8" ? (cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4) : 1;
      utf16 += ch.length;
    }
    return { line: pos.line, character: utf16 };
  }
}
