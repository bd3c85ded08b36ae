import { describe, expect, it } from 'vitest';
import { machineBusyPercent, redisPidOfInfo, withOther } from './machine-cpu';

describe('machineBusyPercent', () => {
  it('is the busy ticks of the window as % of one core', () => {
    // 300 ticks in 2 s on a 100 Hz clock: 1.5 cores busy.
    expect(machineBusyPercent({ busy: 1000, idle: 0, steal: 0 }, { busy: 1300, idle: 100, steal: 0 }, 2)).toBe(150);
  });

  it('is null without both readings or without time passing', () => {
    const t = { busy: 1, idle: 1, steal: 0 };
    expect(machineBusyPercent(null, t, 1)).toBeNull();
    expect(machineBusyPercent(t, null, 1)).toBeNull();
    expect(machineBusyPercent(t, t, 0)).toBeNull();
  });
});

describe('withOther', () => {
  it('adds what the machine spent beyond the named processes and the pipeline', () => {
    expect(withOther({ walsender: 20, redis: 5 }, { ingest: 30, 'projector-0': 45 }, 160)).toEqual({ walsender: 20, redis: 5, other: 60 });
  });

  it('says 0, not a negative rest, when readings a moment apart overshoot the machine', () => {
    expect(withOther({ walsender: 20 }, { ingest: 81 }, 100)).toEqual({ walsender: 20, other: 0 });
  });

  it('adds no rest when the machine total is unknown', () => {
    expect(withOther({ walsender: 20 }, {}, null)).toEqual({ walsender: 20 });
  });
});

describe('redisPidOfInfo', () => {
  it('reads process_id from INFO server text', () => {
    expect(redisPidOfInfo('# Server\r\nredis_version:7.0.15\r\nprocess_id:2242\r\nrun_id:abc\r\n')).toBe(2242);
  });

  it('is undefined when the field is missing', () => {
    expect(redisPidOfInfo('# Server\r\nredis_version:7.0.15\r\n')).toBeUndefined();
  });
});
