/**
 * PostgreSQL log sequence numbers ("16/B374D848") as bigints, so they can be compared and
 * shifted exactly.
 */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!match) throw new RangeError(`not an LSN: ${JSON.stringify(text)}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** Formats an LSN the way PostgreSQL prints it (upper-case hex, no padding). */
export function formatLsn(lsn: bigint): string {
  if (lsn < 0n || lsn > 0xffff_ffff_ffff_ffffn) throw new RangeError(`LSN out of range: ${lsn}`);
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffff_ffffn).toString(16).toUpperCase()}`;
}

/**
 * The argument to give pg-logical-replication's `acknowledge` so that the slot's
 * `confirmed_flush_lsn` becomes exactly `position`: the library reports `lsn + 1` as flushed
 * (it treats its argument as the last byte processed). Reporting a commit's end LSN itself,
 * as PostgreSQL's own subscribers do, matters: a later transaction whose commit record starts
 * exactly at that end would be skipped on restart if we confirmed one byte past it.
 */
export function libraryAckArgument(position: bigint): string {
  if (position <= 0n) throw new RangeError('cannot acknowledge LSN 0');
  return formatLsn(position - 1n);
}
