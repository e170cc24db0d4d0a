import { closeSync, copyFileSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { canonical, sha256Hex } from '../core/canonical.ts';
import { PARSE_ONCE } from '../core/component.ts';

// Engine state files (DESIGN §7, seed "State Recovery"). A file is one line of JSON
// {version, checksum, savedAt_us, state} and a final newline. The checksum is the SHA-256 of the
// canonical text of {savedAt_us, state, version}, so a flipped bit anywhere in the file is caught
// (the header included). Save writes a temp file, fsyncs it, keeps the previous good file as
// `<path>.bak` (a hard link, so a current file exists at every instant) and renames the temp file
// over the current one. Load tries current, then backup, then reports a fresh start.
// Non-finite numbers and -0 survive the round trip as {"$num": "NaN"} and the like.

export const STATE_FILE_VERSION = 1;

export interface LoadResult {
  state: unknown | null;
  source: 'current' | 'backup' | 'fresh';
  savedAt_us: number | null;
  /** One line per file that could not be used, e.g. `state.json: checksum mismatch`. */
  problems: string[];
}

const Header = z.strictObject({
  version: z.literal(STATE_FILE_VERSION),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
  savedAt_us: z.number().int(),
  state: z.unknown(),
});

/** Returns the checksum of a state document. */
export function stateChecksum(state: unknown, savedAtUs: number): string {
  return sha256Hex(canonical({ savedAt_us: savedAtUs, state, version: STATE_FILE_VERSION }));
}

/** Returns the file text of a state saved at data time `savedAtUs`. */
export function encodeStateText(state: unknown, savedAtUs: number, checksum = stateChecksum(state, savedAtUs)): string {
  const doc = { version: STATE_FILE_VERSION, checksum, savedAt_us: savedAtUs, state };
  return JSON.stringify(doc, replacer) + '\n';
}

/** Decodes file text; returns the document or a one-line problem (without the file name). */
export function decodeStateText(text: string): { ok: true; state: unknown; savedAt_us: number } | { ok: false; problem: string } {
  if (!text.endsWith('\n')) return { ok: false, problem: `truncated (${text.length} chars, no final newline)` };
  let raw: unknown;
  try {
    raw = JSON.parse(text, reviver);
  } catch (e) {
    return { ok: false, problem: `bad JSON (${(e as Error).message})` };
  }
  const h = Header.safeParse(raw, PARSE_ONCE);
  if (!h.success) {
    const i = h.error.issues[0];
    return { ok: false, problem: `bad header (${i.path.join('.') || 'document'}: ${i.message})` };
  }
  if (stateChecksum(h.data.state, h.data.savedAt_us) !== h.data.checksum) return { ok: false, problem: 'checksum mismatch' };
  return { ok: true, state: h.data.state, savedAt_us: h.data.savedAt_us };
}

/** Saves `state` durably at `path`, keeping the previous good file as `<path>.bak`. */
export function saveState(path: string, state: unknown, savedAtUs: number): { bytes: number; checksum: string } {
  const checksum = stateChecksum(state, savedAtUs);
  const text = encodeStateText(state, savedAtUs, checksum);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // Only a current file that still verifies becomes the backup; a damaged one must not push out a good backup.
  if (readOne(path).ok) {
    const bak = `${path}.bak`;
    rmSync(bak, { force: true });
    try {
      linkSync(path, bak);
    } catch {
      copyFileSync(path, bak);
    }
  }
  renameSync(tmp, path);
  syncDir(dirname(path));
  return { bytes: Buffer.byteLength(text), checksum };
}

/** Loads the state at `path`: current, else `<path>.bak`, else fresh; problems say why a file was skipped. */
export function loadState(path: string): LoadResult {
  const problems: string[] = [];
  const sources = [
    { file: path, source: 'current' as const },
    { file: `${path}.bak`, source: 'backup' as const },
  ];
  for (const { file, source } of sources) {
    const r = readOne(file);
    if (r.ok) return { state: r.state, source, savedAt_us: r.savedAt_us, problems };
    problems.push(`${basename(file)}: ${r.problem}`);
  }
  return { state: null, source: 'fresh', savedAt_us: null, problems };
}

function readOne(file: string): { ok: true; state: unknown; savedAt_us: number } | { ok: false; problem: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, problem: code === 'ENOENT' ? 'missing' : `unreadable (${code ?? (e as Error).message})` };
  }
  return decodeStateText(text);
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function replacer(_key: string, v: unknown): unknown {
  if (typeof v !== 'number') return v;
  if (Number.isFinite(v) && !Object.is(v, -0)) return v;
  return { $num: Object.is(v, -0) ? '-0' : String(v) };
}

function reviver(_key: string, v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  if (keys.length !== 1 || keys[0] !== '$num') return v;
  const s = (v as { $num: unknown }).$num;
  if (s === 'NaN') return NaN;
  if (s === 'Infinity') return Infinity;
  if (s === '-Infinity') return -Infinity;
  if (s === '-0') return -0;
  return v;
}
