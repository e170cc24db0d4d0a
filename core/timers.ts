// The runtime's timer queue: a binary heap ordered by (due, id), so timers with equal due times
// fire in the order they were set (DESIGN §4). Plain data, so it snapshots with the runtime.

export interface Timer {
  due: number;
  /** Set order: breaks ties between equal due times. */
  id: number;
  /** Index of the component that set it. */
  owner: number;
  tag: string;
}

function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.id < b.id);
}

/** Adds a timer. */
export function heapPush(h: Timer[], t: Timer): void {
  h.push(t);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(h[i], h[p])) break;
    [h[i], h[p]] = [h[p], h[i]];
    i = p;
  }
}

/** Removes and returns the earliest timer; the heap must not be empty. */
export function heapPop(h: Timer[]): Timer {
  const top = h[0];
  const last = h.pop() as Timer;
  if (h.length > 0) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
  return top;
}
