import tseslint from 'typescript-eslint';

const layers = {
  metrics: [],
  'cdc-core': ['@ledgerflow/metrics'],
  projections: ['@ledgerflow/metrics', '@ledgerflow/cdc-core'],
  sinks: ['@ledgerflow/metrics', '@ledgerflow/cdc-core'],
};
const all = ['metrics', 'cdc-core', 'projections', 'sinks', 'testkit'].map((p) => `@ledgerflow/${p}`);

/** Dependencies flow one way (DESIGN §4); packages may only import the layers beneath them. */
const layerRules = Object.entries(layers).map(([pkg, allowed]) => ({
  files: [`packages/${pkg}/src/**/*.ts`],
  ignores: ['**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: all.filter((p) => !allowed.includes(p)).map((name) => ({ name, message: 'dependencies flow metrics ← cdc-core ← {projections, sinks} ← apps' })),
        patterns: [{ group: ['@ledgerflow/*/*'], message: 'one public entry per package: no deep imports' }],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', 'apps/cli/bin/**', 'loadtests/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['@ledgerflow/*/*', '!@ledgerflow/metrics/node'], message: 'one public entry per package: no deep imports' }] }],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'packages/testkit/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'only apps read process.env, in config.ts' }],
    },
  },
  {
    files: ['apps/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'apps/*/src/config.ts', 'apps/*/src/testing/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read process.env once, in config.ts' }],
    },
  },
  ...layerRules,
);
