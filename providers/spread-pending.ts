// The bounded FIFO of trades waiting for the mid 5 s later (SPEC §9). Structure of arrays over
// plain number arrays, so it snapshots as plain data and a push allocates nothing once the
// arrays have grown to their working size. Trades enter in time order, so the head is always
// the earliest due.

export interface Pending {
  due: number[];
  dir: number[];
  px: number[];
  m0: number[];
  qty: number[];
  head: number;
  size: number;
  cap: number;
}

export function pendingNew(cap: number): Pending {
  return { due: [], dir: [], px: [], m0: [], qty: [], head: 0, size: 0, cap };
}

/** Appends a trade; returns false (and keeps nothing) when the queue is full. */
export function pendingPush(q: Pending, due: number, dir: number, px: number, m0: number, qty: number): boolean {
  if (q.size === q.cap) return false;
  let i = q.head + q.size;
  if (i >= q.cap) i -= q.cap;
  // Before the first wrap, i equals the array length, so these writes append densely.
  q.due[i] = due;
  q.dir[i] = dir;
  q.px[i] = px;
  q.m0[i] = m0;
  q.qty[i] = qty;
  q.size++;
  return true;
}

/** Drops the head entry. */
export function pendingPop(q: Pending): void {
  q.head = q.head + 1 === q.cap ? 0 : q.head + 1;
  q.size--;
}
