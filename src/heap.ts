// Memory that stays flat over a long session, without paying for it at start-up.
//
// A long-lived proxy churns small objects. With V8's defaults the young generation grows from
// 1 MB to 16 MB a semi-space once enough has survived, and the old generation grows in large
// steps: RSS creeps up for hours. Asking node for a small young generation on its command line
// (--max-semi-space-size) costs every start 15–30 ms, because node's built-in modules come with
// compiled code that V8 only accepts when the flags match the ones node was built with. So the
// flags are set here, at run time, once the session has loaded what it needs and spawned gopls:
// the young generation keeps the size it started with (it is not allowed to grow: a growth
// factor of 1; a maximum set at run time is ignored, the factor is read at each growth), and the
// old generation grows in small steps. Both are hints: a node that does not know them ignores
// them.

let tuned = false;

/** node:v8 itself is loaded here, late: importing it costs a start ~3 ms. */
export async function tuneHeapForLongSession(): Promise<void> {
  if (tuned) return;
  tuned = true;
  // A single executable's main script cannot import(): getBuiltinModule there (Node 20.16+).
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const v8 =
    (get?.("node:v8") as typeof import("node:v8") | undefined) ?? (await import("node:v8")).default;
  v8.setFlagsFromString("--semi-space-growth-factor=1");
  v8.setFlagsFromString("--heap-growing-percent=10");
}
