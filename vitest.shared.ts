import { defineConfig } from 'vitest/config';

/**
 * One vitest configuration for every project. Test tiers are told apart by file name
 * (`*.unit.spec.ts`, `*.int.spec.ts`, `*.e2e.spec.ts`); `LEDGERFLOW_TEST_TIER` narrows a run
 * to one tier (e.g. `LEDGERFLOW_TEST_TIER=unit npx nx run-many -t test`).
 */
export function defineProjectConfig() {
  const tier = process.env['LEDGERFLOW_TEST_TIER'];
  const include = tier ? [`src/**/*.${tier}.spec.ts`] : ['src/**/*.spec.ts'];
  return defineConfig({
    test: {
      include,
      pool: 'forks',
      testTimeout: 60_000,
      hookTimeout: 120_000,
      // Integration and end-to-end files each own a database; two at a time keeps a 2-core
      // machine responsive enough that timing-sensitive recovery tests stay honest.
      maxWorkers: 2,
    },
  });
}
