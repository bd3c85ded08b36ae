export { ATTRIBUTE, LAG_BUCKETS_SECONDS, METRIC } from './names';
export { createInstruments } from './instruments';
export type { Instruments } from './instruments';
