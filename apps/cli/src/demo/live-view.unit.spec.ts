import { describe, expect, it } from 'vitest';
import { emptyDriverStats } from './driver';
import { renderLiveView } from './live-view';

describe('renderLiveView', () => {
  it('shows rates from two snapshots, the backlog and the rejection codes', () => {
    const stats = { ...emptyDriverStats(), accepted: 1200, rejected: 30, rejectedByCode: { INSUFFICIENT_FUNDS: 25, ACCOUNT_CLOSED: 5 } };
    const lines = renderLiveView(
      'driving',
      0,
      { atMs: 1000, eventsInStore: 1000, eventsProjected: 900, queueDepth: 4, freshnessLagMs: 20, parkedAccounts: 0 },
      { atMs: 2000, eventsInStore: 3000, eventsProjected: 2500, queueDepth: 2, freshnessLagMs: 35, parkedAccounts: 2 },
      stats,
    );
    const text = lines.join('\n');
    expect(text).toContain('2.0 s');
    expect(text).toContain('accepted 1,200');
    expect(text).toContain('INSUFFICIENT_FUNDS 25, ACCOUNT_CLOSED 5');
    expect(text).toContain('(+2,000/s)');
    expect(text).toContain('projected 2,500 (+1,600/s)');
    expect(text).toContain('backlog 500');
    expect(text).toContain('freshness lag 35 ms');
    expect(text).toContain('parked accounts 2');
  });

  it('shows a dash before anything is projected', () => {
    const lines = renderLiveView('starting', 0, undefined, { atMs: 0, eventsInStore: 0, eventsProjected: 0, queueDepth: 0, freshnessLagMs: null, parkedAccounts: 0 }, emptyDriverStats());
    expect(lines.join('\n')).toContain('freshness lag –');
  });
});
