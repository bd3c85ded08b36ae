import { describe, expect, it } from 'vitest';
import { steadyStateFleet } from './steady-fleet';

describe('steadyStateFleet', () => {
  it('takes the smaller fleet when a bigger one is only as fast, within the tie', () => {
    expect(steadyStateFleet([{ projectors: 1, eventsPerSecond: 31_586 }, { projectors: 2, eventsPerSecond: 31_721 }])).toBe(1);
    expect(steadyStateFleet([{ projectors: 2, eventsPerSecond: 20_000 }, { projectors: 1, eventsPerSecond: 19_100 }])).toBe(1);
  });

  it('takes the bigger fleet when it is clearly faster', () => {
    expect(steadyStateFleet([{ projectors: 1, eventsPerSecond: 20_000 }, { projectors: 2, eventsPerSecond: 24_000 }])).toBe(2);
    expect(steadyStateFleet([{ projectors: 1, eventsPerSecond: 10_000 }, { projectors: 2, eventsPerSecond: 19_000 }, { projectors: 4, eventsPerSecond: 19_500 }])).toBe(2);
  });

  it('honours a custom tie and refuses an empty list', () => {
    expect(steadyStateFleet([{ projectors: 1, eventsPerSecond: 19_000 }, { projectors: 2, eventsPerSecond: 20_000 }], 0.01)).toBe(2);
    expect(() => steadyStateFleet([])).toThrow(/no catch-up/);
  });
});
