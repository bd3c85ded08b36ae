/** Whether a process can do its work now, and if not, why (one short reason per failing check). */
export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/** A dependency check: resolves when the dependency works, throws (or rejects) with the reason when not. */
export type ReadinessCheck = () => Promise<unknown>;

/** The JSON body and status of `/readyz`. */
export interface ReadinessResponse {
  readonly statusCode: 200 | 503;
  readonly body: { readonly status: 'ready' | 'not_ready'; readonly reasons: readonly string[] };
}

const MAX_REASON = 200;

/** `/readyz` answer for a readiness: 200 when ready, else 503 listing the reasons. */
export function readinessResponse(readiness: Readiness): ReadinessResponse {
  return readiness.ready
    ? { statusCode: 200, body: { status: 'ready', reasons: [] } }
    : { statusCode: 503, body: { status: 'not_ready', reasons: readiness.reasons.length > 0 ? [...readiness.reasons] : ['not ready'] } };
}

/**
 * `<check>: <message>` on one line, cut to 200 characters: probes are polled often and logged,
 * so reasons stay short. Messages of driver errors name hosts and ports, never passwords.
 */
export function reasonOf(check: string, error: unknown): string {
  const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : undefined;
  // Node's AggregateError (a refused connection to every address of a host) has no message, only a code.
  const message = error instanceof Error ? error.message || code || error.name : String(error);
  const text = `${check}: ${message || 'failed'}`.replace(/\s+/g, ' ').trim();
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

/** Settles like `promise`, or rejects with "no answer within N ms" (the slow call keeps running). */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the named checks in parallel, each bounded by `timeoutMs`, and gathers the reasons of
 * those that failed (in the order given, so answers are stable).
 *
 * @example
 *   readiness: () => checkReadiness({ postgres: () => pool.query('select 1'), redis: () => redis.ping() })
 */
export async function checkReadiness(checks: Readonly<Record<string, ReadinessCheck>>, timeoutMs = 1000): Promise<Readiness> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(Promise.resolve().then(check), timeoutMs);
        return undefined;
      } catch (error) {
        return reasonOf(name, error);
      }
    }),
  );
  const reasons = results.filter((r): r is string => r !== undefined);
  return { ready: reasons.length === 0, reasons };
}
