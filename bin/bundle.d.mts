/** Returns the URL of the CLI's bundle (dist/qx.mjs), building it when missing or stale; null when it cannot be built. */
export function cliBundle(): Promise<string | null>;
