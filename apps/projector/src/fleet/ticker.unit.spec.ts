import { describe, expect, it } from 'vitest';
import { Ticker } from './ticker';

describe('Ticker', () => {
  it('runs the step again after the pause it asks for, and keeps going after a throw', async () => {
    const calls: number[] = [];
    const started = Date.now();
    const ticker = new Ticker(async () => {
      calls.push(Date.now() - started);
      if (calls.length === 2) throw new Error('a bug in the step');
      return calls.length === 1 ? 10 : 5;
    });
    ticker.start();
    while (calls.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(9);
    await ticker.stop();
    expect(calls).toHaveLength(2); // after a throw it sleeps 1 s; stop cut that short
  });

  it('stop() waits for the step in hand and cuts the sleep short', async () => {
    let release!: () => void;
    let finished = false;
    const ticker = new Ticker(async () => {
      await new Promise<void>((resolve) => (release = resolve));
      finished = true;
      return 60_000;
    });
    ticker.start();
    await new Promise((r) => setTimeout(r, 5));
    const stopping = ticker.stop();
    release();
    await stopping;
    expect(finished).toBe(true);
  });

  it('waits before the first step when asked', async () => {
    let ran = false;
    const ticker = new Ticker(async () => {
      ran = true;
      return 1;
    });
    ticker.start(60_000);
    await new Promise((r) => setTimeout(r, 20));
    await ticker.stop();
    expect(ran).toBe(false);
  });
});
