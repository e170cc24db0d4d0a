/** Returns the URL of the CLI's bundle (dist/qx.mjs), building it when missing or stale; null when it cannot be built. */
export function cliBundle(): Promise<string | null>;
/** The folders whose TypeScript the CLI is made of. */
export const SOURCES: readonly string[];
/** Returns the newest modification time of the sources and of bin/bundle.mjs, ms. */
export function newestSource(): number;
