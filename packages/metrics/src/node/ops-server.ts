import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readinessResponse, reasonOf, withTimeout, type Readiness } from '../readiness';

/** The operational endpoints every process serves (kept out of traces; see instrumentations.ts). */
export const OPS_PATHS: readonly string[] = ['/healthz', '/readyz', '/metrics'];

/** What the ops server needs. */
export interface OpsServerOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** @defaultValue 127.0.0.1 (scrapes and probes come from the same host or a sidecar; widen on purpose) */
  readonly host?: string;
  /** Whether the process can do its work now; see checkReadiness. */
  readonly readiness: () => Promise<Readiness>;
  /** Serves `/metrics` (Telemetry.metricsHandler); without it `/metrics` is 404. */
  readonly metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Longest a `/readyz` answer may take before it says not ready. @defaultValue 2000 */
  readonly readinessTimeoutMs?: number;
}

/** A listening ops server. */
export interface OpsServer {
  readonly server: Server;
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function answerReadiness(res: ServerResponse, options: OpsServerOptions): Promise<void> {
  let readiness: Readiness;
  try {
    readiness = await withTimeout(options.readiness(), options.readinessTimeoutMs ?? 2000);
  } catch (error) {
    readiness = { ready: false, reasons: [reasonOf('readiness', error)] };
  }
  const { statusCode, body } = readinessResponse(readiness);
  sendJson(res, statusCode, body);
}

function route(req: IncomingMessage, res: ServerResponse, options: OpsServerOptions): void {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
  // Liveness only says the event loop answers; it must not depend on PostgreSQL or Redis, or an
  // outage of theirs would get every process restarted for nothing.
  if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (path === '/readyz') return void answerReadiness(res, options);
  if (path === '/metrics' && options.metricsHandler) return options.metricsHandler(req, res);
  sendJson(res, 404, { error: 'not found' });
}

/**
 * Starts the HTTP server for `/healthz` (liveness), `/readyz` (readiness: 200, or 503 with the
 * reasons) and `/metrics` (Prometheus text), for processes that have no HTTP server of their
 * own (ingest, projector). Resolves once it listens.
 */
export async function createOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server = createServer((req, res) => route(req, res, options));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Prometheus keeps connections alive; without this close() would wait for them.
        server.closeAllConnections();
      }),
  };
}
