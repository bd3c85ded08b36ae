import { Writable } from 'node:stream';
import { LedgerflowError } from '@ledgerflow/cdc-core';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Supervisor, type Session } from './supervisor';

/** A session the test ends by hand, recording how the supervisor closed it. */
class FakeSession implements Session {
  closedBy: 'stop' | 'abort' | undefined;
  fail: (error: Error) => void = () => undefined;
  readonly failed = new Promise<Error>((resolve) => (this.fail = resolve));
  async stop() {
    this.closedBy = 'stop';
  }
  async abort() {
    this.closedBy = 'abort';
  }
}

/** Captures the supervisor's log lines. */
function capturingLogger() {
  const lines: { msg: string; attempt?: number; delayMs?: number }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), lines };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

function harness(starts: (() => Promise<Session>)[], policy = { retryInitialMs: 10, retryMaxMs: 40 }) {
  const { logger, lines } = capturingLogger();
  const retried: Error[] = [];
  const gaveUp: Error[] = [];
  const signals: AbortSignal[] = [];
  const streaming: boolean[] = [];
  let calls = 0;
  const supervisor = new Supervisor({
    startSession: (signal) => {
      signals.push(signal);
      const next = starts[Math.min(calls++, starts.length - 1)]!;
      return next();
    },
    policy,
    logger,
    random: () => 0.999,
    onRetry: (e) => retried.push(e),
    onGiveUp: (e) => gaveUp.push(e),
    onStreaming: (s) => streaming.push(s),
  });
  return { supervisor, lines, retried, gaveUp, signals, streaming, calls: () => calls };
}

describe('Supervisor', () => {
  it('restarts a failed session after a backoff that grows with consecutive failures', async () => {
    const sessions = [new FakeSession(), new FakeSession(), new FakeSession(), new FakeSession()];
    let i = 0;
    const h = harness([async () => sessions[i++]!]);
    await h.supervisor.start();
    for (let n = 0; n < 3; n++) {
      sessions[n]!.fail(new Error(`boom ${n}`));
      await new Promise((r) => setTimeout(r, 60));
      expect(sessions[n]!.closedBy).toBe('abort');
    }
    expect(h.calls()).toBe(4);
    expect(h.retried.map((e) => e.message)).toEqual(['boom 0', 'boom 1', 'boom 2']);
    expect(h.lines.map((l) => [l.attempt, l.delayMs])).toEqual([
      [1, 10],
      [2, 20],
      [3, 40],
    ]);
    await h.supervisor.stop();
    expect(sessions[3]!.closedBy).toBe('stop');
    expect(h.gaveUp).toEqual([]);
    // Each session streamed, then ended (three failures and the stop): what /readyz follows.
    expect(h.streaming).toEqual([true, false, true, false, true, false, true, false]);
  });

  it('keeps retrying a start that fails, and resolves start() once a session streams', async () => {
    const session = new FakeSession();
    const refused = async (): Promise<Session> => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    const h = harness([refused, refused, refused, async () => session]);
    await h.supervisor.start();
    expect(h.calls()).toBe(4);
    expect(h.retried).toHaveLength(3);
    expect(h.streaming).toEqual([true]); // failed starts never streamed
    await h.supervisor.stop();
    expect(session.closedBy).toBe('stop');
  });

  it('stops at once during a long backoff', async () => {
    const session = new FakeSession();
    const h = harness([async () => session, async () => new FakeSession()], { retryInitialMs: 60_000, retryMaxMs: 60_000 });
    await h.supervisor.start();
    session.fail(new Error('connection lost'));
    await tick();
    const before = Date.now();
    await h.supervisor.stop();
    expect(Date.now() - before).toBeLessThan(1000);
    expect(h.calls()).toBe(1);
  });

  it('stops during a session start: aborts the start, closes what it returns, rejects start()', async () => {
    let release: (s: Session) => void = () => undefined;
    const late = new FakeSession();
    const h = harness([() => new Promise<Session>((resolve) => (release = resolve))]);
    const started = h.supervisor.start();
    await tick();
    const stopping = h.supervisor.stop();
    expect(h.signals[0]!.aborted).toBe(true);
    release(late);
    await stopping;
    await expect(started).rejects.toThrow(/stopped before it started/);
    expect(late.closedBy).toBe('stop');
  });

  it('gives up on a failure no retry can fix', async () => {
    const fatal = new LedgerflowError('CONFIG_INVALID', 'slot of another plugin');
    const h = harness([
      async () => {
        throw fatal;
      },
    ]);
    await expect(h.supervisor.start()).rejects.toBe(fatal);
    expect(h.gaveUp).toEqual([fatal]);
    expect(h.calls()).toBe(1);
    await h.supervisor.stop();
  });
});
