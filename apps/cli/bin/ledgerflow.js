#!/usr/bin/env node
// The `ledgerflow` command: runs the TypeScript sources through tsx (no build step).
require('tsx/cjs');
require('../src/main.ts');
