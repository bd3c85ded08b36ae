import { LedgerflowError } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { failureCode } from './failure-code';
import { replicationProblem } from './readiness';

describe('replicationProblem', () => {
  const slot = 'ledgerflow_bank';

  it('is none while a session streams and the slot has a consumer', () => {
    expect(replicationProblem(slot, true, undefined, { exists: true, active: true })).toBeUndefined();
    // PostgreSQL could not be asked: its own check says so; ingest's view decides here.
    expect(replicationProblem(slot, true, 'TRANSIENT_FAILURE: old', undefined)).toBeUndefined();
  });

  it('names what is wrong otherwise', () => {
    expect(replicationProblem(slot, false, undefined, { exists: true, active: false })).toBe('no session is streaming yet (starting: slot check, catch-up)');
    expect(replicationProblem(slot, false, 'TRANSIENT_FAILURE: Connection is closed.', undefined)).toBe('no session is streaming (last failure: TRANSIENT_FAILURE: Connection is closed.)');
    expect(replicationProblem(slot, true, undefined, { exists: false, active: false })).toBe('slot ledgerflow_bank does not exist');
    expect(replicationProblem(slot, true, undefined, { exists: true, active: false })).toBe('no consumer is attached to slot ledgerflow_bank');
  });
});

describe('failureCode', () => {
  it('keeps our stable codes and calls anything else transient (bounded labels)', () => {
    expect(failureCode(new LedgerflowError('CDC_DECODE_FAILED', 'bad row'))).toBe('CDC_DECODE_FAILED');
    expect(failureCode(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }))).toBe('TRANSIENT_FAILURE');
    expect(failureCode('a string')).toBe('TRANSIENT_FAILURE');
  });
});
