import { describe, expect, it } from 'vitest';
import { loadCliConfig } from './config';

describe('loadCliConfig', () => {
  it('tells a partition count set from the default, an empty variable counting as unset', () => {
    expect(loadCliConfig({})).toMatchObject({ partitions: 16, partitionsSet: false });
    expect(loadCliConfig({ LEDGERFLOW_PARTITIONS: '' })).toMatchObject({ partitions: 16, partitionsSet: false });
    expect(loadCliConfig({ LEDGERFLOW_PARTITIONS: '4' })).toMatchObject({ partitions: 4, partitionsSet: true });
  });

  it('refuses a partition count out of range, listing the problem', () => {
    expect(() => loadCliConfig({ LEDGERFLOW_PARTITIONS: '0' })).toThrow(/LEDGERFLOW_PARTITIONS/);
    expect(() => loadCliConfig({ LEDGERFLOW_PARTITIONS: '2000' })).toThrow(/LEDGERFLOW_PARTITIONS/);
  });

  it('hands the environment on to the apps it starts as it was given, frozen', () => {
    const config = loadCliConfig({ LEDGERFLOW_PARTITIONS: '', OTHER: 'x' });
    expect(config.env).toEqual({ LEDGERFLOW_PARTITIONS: '', OTHER: 'x' });
    expect(Object.isFrozen(config)).toBe(true);
  });
});
