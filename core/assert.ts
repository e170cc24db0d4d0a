// Assertions detect programmer errors; they are always on. Bad input is a DataError instead.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Bad input caught at an edge: quarantined and counted, never a crash of the run. */
export class DataError extends Error {
  override name = 'DataError';
}

/** Throws an AssertionError with `message` when `condition` is false. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
