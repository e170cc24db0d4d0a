// The input rule shared by providers that build 1m bars from trades or depth (SPEC §0.2): an
// event older than the last one, or inside a bar already closed, is an ORDER_VIOLATION and never
// applied; the first bar is PARTIAL when the data starts after its open.

export interface BarAdmission {
  /** Time of the last admitted input, µs. */
  lastTs: number;
  /** Open time of the last closed bar, µs. */
  lastClosed: number;
  started: boolean;
  /** Open time of the first bar when the data began after it (else a value no bar has). */
  partialBar: number;
}

/** Returns whether an input at `ts` in the bar opening at `barOpen` may be applied; records it if so. */
export function admitToBar(s: BarAdmission, ts: number, barOpen: number): boolean {
  if (ts < s.lastTs || barOpen <= s.lastClosed) return false;
  s.lastTs = ts;
  if (!s.started) {
    s.started = true;
    if (ts > barOpen) s.partialBar = barOpen;
  }
  return true;
}

export interface InOrder {
  lastTs: number;
  orderViolations: number;
  /** Raised on a violation; the next record carries the ORDER_VIOLATION flag and clears it. */
  orderFlag: boolean;
}

/** Returns whether an input at `ts` is in time order; an earlier one is counted and flagged, never applied. */
export function admitInOrder(s: InOrder, ts: number): boolean {
  if (ts < s.lastTs) {
    s.orderViolations++;
    s.orderFlag = true;
    return false;
  }
  s.lastTs = ts;
  return true;
}
