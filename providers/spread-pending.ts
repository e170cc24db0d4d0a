// The bounded FIFO of trades waiting for the mid 5 s later (SPEC §9). Trades enter in time
// order, so the head is always the earliest due. One Float64Array holds the entries side by
// side, PENDING_STRIDE numbers each: due time (µs), direction (+1 taker buy, -1 taker sell),
// price, pre-trade mid, size. A push writes one or two cache lines and the working set stays
// as small as the number of trades in flight (five parallel arrays grew to the full `cap` and
// were swept end to end). The slots double, a power of two, when full, up to `cap` entries.
// A typed array is plain data for the runtime's snapshots. Push, pop and resolution are on the
// per-trade path, so they live in spread-events.ts.

export const PENDING_STRIDE = 5;
const INITIAL_SLOTS = 256;

export interface Pending {
  /** Entries in slots head .. head+size-1 (mod slots), each from offset slot*PENDING_STRIDE. */
  buf: Float64Array;
  /** Slots in buf, a power of two. */
  slots: number;
  head: number;
  size: number;
  cap: number;
}

/** Returns an empty queue of at most `cap` trades. */
export function pendingNew(cap: number): Pending {
  return { buf: new Float64Array(INITIAL_SLOTS * PENDING_STRIDE), slots: INITIAL_SLOTS, head: 0, size: 0, cap };
}

/** Doubles the slots of a full queue, copying the entries in queue order to the front. */
export function pendingGrow(q: Pending): void {
  const slots = q.slots * 2;
  const buf = new Float64Array(slots * PENDING_STRIDE);
  const first = q.slots - q.head;
  buf.set(q.buf.subarray(q.head * PENDING_STRIDE), 0);
  buf.set(q.buf.subarray(0, (q.size - first) * PENDING_STRIDE), first * PENDING_STRIDE);
  q.buf = buf;
  q.slots = slots;
  q.head = 0;
}
