// A session's state, one tagged value carrying its own data; the session changes it only
// through its transition function, which logs from → to with the cause.
//
//   starting ──resolved──▶ running ──gopls exits──▶ restarting{crash} ──replayed──▶ running
//      │                      │  ├──adopted settings──▶ restarting{planned} ──replayed──▶ running
//      │                      │  ├──memory over the hard limit, or the user's yes──▶ restarting{memory} ──▶ running
//      │                      │  ├──a newer gopls installed in the background, Switch now──▶ restarting{update} ──▶ running
//      │ 10 s, still resolving └──5 crashes in 3 min──▶ degraded{crashed-too-often}
//      ▼
//   installing (the guard answered initialize) ──resolved──▶ restarting{hand-over} ──▶ running
//      └──failed──▶ degraded{launch-failed} ──Retry──▶ degraded{retrying} ──ok──▶ restarting{retry}
//   any ──exit, EOF, signal, parent gone, malformed input──▶ ending

import type { Finding } from "../findings.js";

/** Why a new gopls is being brought to the session's state. */
export type RestartCause = "crash" | "planned" | "memory" | "update" | "hand-over" | "retry";

export type SessionState =
  /** Resolving (maybe installing) gopls; the editor's initialize waits for it. */
  | { name: "starting" }
  /** Still resolving after earlyAnswerMs: the guard answered initialize and stands in for gopls. */
  | { name: "installing" }
  | { name: "running" }
  /** A new gopls is being started (after a backoff, for a crash) and replayed to. */
  | { name: "restarting"; cause: RestartCause }
  /** gopls could not be started (a Retry may be under way), or kept crashing. */
  | { name: "degraded"; cause: "launch-failed"; failure: Finding; retrying: boolean }
  | { name: "degraded"; cause: "crashed-too-often" }
  | { name: "ending"; reason: string };

export type StateName = SessionState["name"];

/** For the log: the name and what qualifies it. */
export function describeState(s: SessionState): string {
  switch (s.name) {
    case "restarting":
      return `restarting{${s.cause}}`;
    case "degraded":
      return s.cause === "launch-failed"
        ? `degraded{launch-failed: ${s.failure.id}${s.retrying ? ", retrying" : ""}}`
        : "degraded{crashed-too-often}";
    default:
      return s.name;
  }
}

/** The guard answers for gopls: it is being installed, or it cannot run. */
export function standingIn(s: SessionState): boolean {
  return s.name === "installing" || s.name === "degraded";
}
