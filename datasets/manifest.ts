// The manifest lives with the adapters that read and write it; datasets re-export it.
export * from '../adapters/manifest.ts';
