import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Versions recorded in every run manifest: the digest's scope is the same Node major version.

const ROOT = new URL('..', import.meta.url).pathname;

export function versions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(ROOT + 'package.json', 'utf8')) as { version: string };
  return { qx: pkg.version, git_commit: gitCommit(), node: process.versions.node, v8: process.versions.v8 };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown (not a git checkout)';
  }
}
