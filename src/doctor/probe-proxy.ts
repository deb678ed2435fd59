// One bounded HTTP(S) probe of a module proxy, through HTTPS_PROXY when the user set one:
// GET {proxy}/golang.org/x/tools/gopls/@v/list must answer 200 text/plain lines of versions.
// Anything else is classified: refused, unreachable, timed out, intercepted, TLS, proxy auth.

import type { TLSSocket } from "node:tls";
import tls from "node:tls";
import type { Finding } from "../findings.js";
import { proxyFor, request } from "./http.js";
import { goTrustedRoots } from "./trust.js";

export interface ProbeResult {
  url: string;
  via: string | undefined;
  ms: number;
  status?: number;
  contentType?: string;
  error?: string;
  /** The presented certificate chain, leaf first, when TLS got that far. */
  chain?: Array<{ subject: string; issuer: string }> | undefined;
  finding?: Finding | undefined;
}

const GOPLS_LIST = "golang.org/x/tools/gopls/@v/list";

function certName(x: Record<string, unknown> | undefined): string {
  if (!x) return "?";
  return String(x.CN ?? x.O ?? JSON.stringify(x));
}

function chainOf(
  socket: TLSSocket | undefined,
): Array<{ subject: string; issuer: string }> | undefined {
  const cert = socket?.getPeerCertificate?.(true);
  if (!cert || !("subject" in cert) || !cert.subject) return undefined;
  const out: Array<{ subject: string; issuer: string }> = [];
  let c: tls.DetailedPeerCertificate | undefined = cert;
  const seen = new Set<string>();
  while (c?.subject && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push({
      subject: certName(c.subject as unknown as Record<string, unknown>),
      issuer: certName(c.issuer as unknown as Record<string, unknown>),
    });
    c = c.issuerCertificate;
  }
  return out;
}

/** The certificates the server presents, read in a handshake that does not verify them. */
function presentedChain(url: URL, timeoutMs: number): Promise<ProbeResult["chain"]> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port || 443),
      servername: /^[\d.]+$/.test(url.hostname) ? undefined : url.hostname,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    } as tls.ConnectionOptions);
    const done = (chain: ProbeResult["chain"]) => {
      socket.destroy();
      resolve(chain);
    };
    socket.once("secureConnect", () => done(chainOf(socket)));
    socket.once("error", () => done(undefined));
    socket.once("timeout", () => done(undefined));
  });
}

export async function probeProxy(
  proxyUrl: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 5000,
): Promise<ProbeResult> {
  const url = new URL(`${proxyUrl.replace(/\/$/, "")}/${GOPLS_LIST}`);
  const via = proxyFor(url, env);
  const started = Date.now();
  const ca = goTrustedRoots(env);
  const result: ProbeResult = { url: url.toString(), via, ms: 0 };
  try {
    const r = await request(url, via, timeoutMs, ca);
    result.ms = Date.now() - started;
    result.status = r.status;
    result.contentType = r.contentType;
    result.chain = chainOf(r.socket);
    result.finding = classifyAnswer(proxyUrl, r.status, r.contentType, r.body, via);
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { viaProxy?: boolean; socket?: TLSSocket };
    result.ms = Date.now() - started;
    result.error = `${e.code ?? ""} ${e.message}`.trim();
    result.chain =
      chainOf(e.socket) ??
      (url.protocol === "https:" && !via ? await presentedChain(url, timeoutMs) : undefined);
    result.finding = classifyError(proxyUrl, e, via, result.chain);
  }
  return result;
}

const MIRROR_FIX =
  "Check the network. Where proxy.golang.org is blocked, use a reachable mirror: `go env -w GOPROXY=https://goproxy.cn,direct`.";

export function classifyAnswer(
  proxy: string,
  status: number,
  contentType: string,
  body: string,
  via: string | undefined,
): Finding | undefined {
  const evidence = {
    GOPROXY: proxy,
    answer: `HTTP ${status}, ${contentType || "no content type"}`,
    ...(via ? { HTTPS_PROXY: via } : {}),
  };
  if (status === 407) {
    return {
      id: "proxy.http_proxy_broken",
      severity: "error",
      message: "The HTTP(S) proxy asks for credentials (407).",
      evidence,
      fix: "Put the credentials in HTTPS_PROXY (http://user:password@host:port), or ask for the module proxy to be reachable without them.",
    };
  }
  if (status === 200 && /^text\/plain/i.test(contentType) && /^(v\d[^\s]*\s*)*$/.test(body.trim()))
    return undefined;
  if (status === 200 && /html/i.test(contentType)) {
    return {
      id: "proxy.intercepted",
      severity: "error",
      message:
        "Something answered for the module proxy with an HTML page: a captive portal or a firewall's block page.",
      evidence: { ...evidence, page: body.replace(/\s+/g, " ").slice(0, 80) },
      fix: "Log in to the network (captive portal), or ask for the module proxy to be allowed through the firewall.",
    };
  }
  if (status === 403 || status === 401 || (status >= 300 && status < 400)) {
    return {
      id: "proxy.intercepted",
      severity: "error",
      message: `The module proxy's address answered ${status}: a proxy or firewall is likely refusing or redirecting it.`,
      evidence,
      fix: "Ask for the module proxy to be allowed, or use one your network allows (`go env -w GOPROXY=...`).",
    };
  }
  if (status === 404 || status === 410) {
    return {
      id: "proxy.intercepted",
      severity: "error",
      message: `The module proxy does not know golang.org/x/tools/gopls (${status}).`,
      evidence,
      fix: "Check GOPROXY: is it a Go module proxy that serves public modules?",
    };
  }
  return {
    id: "proxy.intercepted",
    severity: "error",
    message: "The module proxy's answer is not a list of versions.",
    evidence,
    fix: "Check GOPROXY and any proxy or firewall in between.",
  };
}

export function classifyError(
  proxy: string,
  e: NodeJS.ErrnoException & { viaProxy?: boolean },
  via: string | undefined,
  chain: ProbeResult["chain"],
): Finding {
  const code = e.code ?? "";
  if (e.viaProxy || code.startsWith("PROXY_")) {
    return {
      id: "proxy.http_proxy_broken",
      severity: "error",
      message: `HTTPS_PROXY (${via}) does not work: ${e.message}.`,
      evidence: { HTTPS_PROXY: via ?? "", error: code || e.message },
      fix: "Fix HTTPS_PROXY/HTTP_PROXY (host, port, credentials), or unset them if no proxy is needed.",
    };
  }
  const tlsCodes = [
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "UNABLE_TO_GET_ISSUER_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "CERT_HAS_EXPIRED",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "CERT_UNTRUSTED",
  ];
  if (tlsCodes.includes(code)) {
    const top = chain?.at(-1);
    const presented = (chain ?? []).map((c) => `${c.subject} (issued by ${c.issuer})`).join(" → ");
    // One certificate that is not self-signed and whose issuer nobody has: the server left out
    // its intermediate. Otherwise the chain ends at an issuer this machine does not trust.
    if (code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE") {
      return {
        id: "proxy.tls",
        severity: "error",
        message: `The module proxy's certificate chain is incomplete: the server does not send the certificate that issued it (${chain?.[0]?.issuer ?? "?"}).`,
        evidence: { GOPROXY: proxy, error: code, "chain presented": presented || "?" },
        fix: "This is the server's fault: its operator must serve the intermediate certificate too. Meanwhile, trust the intermediate by adding it to SSL_CERT_FILE. Never turn verification off.",
      };
    }
    const issuer = top?.issuer ?? "?";
    return {
      id: "proxy.tls",
      severity: "error",
      message: `The module proxy's certificate is issued by "${issuer}", which this machine does not trust: a TLS-inspecting firewall or a private CA.`,
      evidence: { GOPROXY: proxy, error: code, "chain presented": presented || "?" },
      fix: `If "${issuer}" is your organisation's CA, install its certificate in the system store (or point SSL_CERT_FILE at it). Never turn verification off.`,
    };
  }
  const what = unreachable(e);
  const id = code === "ECONNRESET" ? "proxy.intercepted" : "proxy.unreachable";
  return {
    id,
    severity: "error",
    message: `The module proxy ${proxy} ${what}.`,
    evidence: { GOPROXY: proxy, error: `${code} ${e.message}`.trim() },
    fix: MIRROR_FIX,
  };
}

/** How a connection failed, as the end of a sentence ("The module proxy X ..."). */
export function unreachable(e: NodeJS.ErrnoException): string {
  const code = e.code ?? "";
  return code === "ECONNREFUSED"
    ? "refuses connections"
    : code === "ENOTFOUND" || code === "EAI_AGAIN"
      ? "has a name that does not resolve"
      : code === "ETIMEDOUT"
        ? "does not answer"
        : code === "ECONNRESET"
          ? "resets the connection (a filter cutting it off, typically)"
          : `cannot be reached (${code || e.message})`;
}
