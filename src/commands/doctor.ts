// `gopls-guard doctor [--json]`: every check, grouped, each finding with its evidence and fix,
// and a one-line verdict; or one JSON object (schema in the README). Exit 1 if any error.

import path from "node:path";
import type { Config } from "../config.js";
import { processSeams, runChecks } from "../doctor/checks.js";
import { dedupe, type Finding, publicFinding } from "../findings.js";
import { openLog } from "../log.js";
import { forTerminal, redact } from "../safe-text.js";
import { jsonFlag } from "./json-flag.js";

declare const GUARD_VERSION: string;

const ORDER = { error: 0, warning: 1, info: 2 } as const;

export async function doctor(config: Config, args: string[], problems: Finding[]): Promise<number> {
  const json = jsonFlag("doctor", args);
  if (json === undefined) return 2;
  const log = openLog(config, "gopls-guard doctor");
  await log.load();
  const started = Date.now();
  const { findings, facts } = await runChecks(
    processSeams(config, log.logger, log.file),
    typeof GUARD_VERSION === "string" ? GUARD_VERSION : "dev",
  );
  const all = dedupe([...problems, ...findings])
    .sort((a, b) => ORDER[a.severity] - ORDER[b.severity])
    .map(publicFinding);
  const errors = all.filter((f) => f.severity === "error").length;
  log.logger.info({ event: "doctor", findings: all, facts, ms: Date.now() - started }, "doctor");
  log.flush();
  if (json) {
    process.stdout.write(
      `${redact(JSON.stringify({ ok: errors === 0, findings: all, facts, ms: Date.now() - started }, null, 2))}\n`,
    );
  } else {
    process.stdout.write(human(all, facts, process.stdout.isTTY === true));
  }
  return errors ? 1 : 0;
}

function human(
  findings: Finding[],
  facts: Awaited<ReturnType<typeof runChecks>>["facts"],
  tty: boolean,
): string {
  const c = (code: string, s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
  // What the guard did not write itself (paths, a proxy's answer, go's words) is made safe for a
  // terminal before the colours go around it.
  const t = (s: string) => forTerminal(s, false);
  const mark = {
    error: c("31;1", "✗ error"),
    warning: c("33;1", "! warning"),
    info: c("36", "i info"),
  };
  const lines: string[] = [c("1", "gopls-guard doctor"), ""];
  const go = facts.go;
  lines.push(
    `  go      ${go ? t(`${go.path} (${go.version === "unknown" ? "does not work" : go.version}, from ${go.source})`) : "not found"}`,
  );
  if (go?.goplsPATH)
    lines.push(
      `          gopls gets ${path.dirname(go.path)} first on its PATH, so it runs this go`,
    );
  const gopls = facts.gopls;
  const about = gopls && [gopls.version ?? "?", gopls.builtWith && `built with ${gopls.builtWith}`];
  lines.push(
    `  gopls   ${gopls ? t(`${gopls.path} (${about?.filter(Boolean).join(", ")}; ${gopls.source})`) : go ? "not installed yet" : "none found"}`,
  );
  lines.push(`  install ${t(facts.guard.installDir)}`);
  for (const p of facts.probes)
    lines.push(
      `  proxy   ${t(`${p.url} → ${p.status ? `HTTP ${p.status}` : p.error} in ${p.ms} ms${p.via ? ` via ${p.via}` : ""}`)}`,
    );
  const db = facts.sumdb;
  if (db)
    lines.push(
      `  sumdb   ${t(`${db.url} → ${db.status ? `HTTP ${db.status}` : db.error} in ${db.ms} ms${db.compared ? `; gopls ${db.compared.version}'s go.mod ${db.compared.same ? "matches" : "DIFFERS"}` : ""}`)}`,
    );
  lines.push(`  log     ${t(facts.guard.log)}`, "");
  for (const f of findings) {
    lines.push(`${mark[f.severity]} [${f.id}] ${t(f.message)}`);
    for (const [k, v] of Object.entries(f.evidence)) lines.push(`    ${t(k)}: ${t(v)}`);
    if (f.fix) lines.push(`    ${c("32", "fix:")} ${t(f.fix)}`);
    lines.push("");
  }
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  lines.push(
    errors
      ? c(
          "31;1",
          `✗ gopls cannot be installed or started: ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}.`,
        )
      : warnings
        ? c("33;1", `! no errors, ${warnings} warning${warnings === 1 ? "" : "s"}.`)
        : c("32;1", "✓ all good."),
  );
  return `${lines.join("\n")}\n`;
}
