export { evolveAccount } from './evolve-account';
export type { Evolved } from './evolve-account';
export { planApply } from './plan-apply';
export type { ApplyPlan } from './plan-apply';
export { foldBatch } from './fold-batch';
export type { FoldFailure, FoldResult } from './fold-batch';
