import { describe, expect, it } from 'vitest';
import { cpuPercents, parseProcessCpuSeconds } from './process-cpu';

// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
const stat = (comm: string, utime: number, stime: number) => `4242 (${comm}) S 1 4242 4242 0 -1 4194304 100 0 0 0 ${utime} ${stime} 0 0 20 0 11 0 500 1000 2000`;

describe('parseProcessCpuSeconds', () => {
  it('adds user and system ticks, in seconds', () => {
    expect(parseProcessCpuSeconds(stat('node', 250, 50))).toBe(3);
  });

  it('counts fields after the command name, whatever it holds', () => {
    expect(parseProcessCpuSeconds(stat('node (ingest) x y', 120, 30))).toBe(1.5);
  });

  it('is null for text it cannot read', () => {
    expect(parseProcessCpuSeconds('garbage')).toBeNull();
    expect(parseProcessCpuSeconds('1 (node) S 1')).toBeNull();
  });
});

describe('cpuPercents', () => {
  it('gives each process its CPU over the window as % of one core', () => {
    expect(cpuPercents({ ingest: 10, 'projector-0': 20 }, { ingest: 16, 'projector-0': 32.5 }, 20)).toEqual({ ingest: 30, 'projector-0': 62.5 });
  });

  it('leaves out processes without both readings, and everything for an empty window', () => {
    expect(cpuPercents({ ingest: null, 'projector-0': 1 }, { ingest: 5, 'projector-0': null }, 10)).toEqual({});
    expect(cpuPercents({ ingest: 1 }, { ingest: 2 }, 0)).toEqual({});
  });
});
