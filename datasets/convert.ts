import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assert, DataError } from '../core/assert.ts';
import {
  extOf, openStreamFile, parsePartPath, writeStreamFile, type BatchOf, type Format, type StreamKind,
} from '../adapters/columnar.ts';
import { readManifest, writeManifest, MANIFEST_FILE, type Manifest } from './manifest.ts';

// Copies a dataset into another format, file by file (one hour at a time), keeping every row,
// the layout, the range and the provenance. The determinism test replays both copies and expects
// one digest.

/** Copies the dataset in `srcDir` to `dstDir` in `format`; returns the new manifest. */
export function convertDataset(srcDir: string, dstDir: string, format: Format): Manifest {
  const src = readManifest(srcDir);
  assert(!existsSync(join(dstDir, MANIFEST_FILE)), `${dstDir} already holds a dataset; convert into a fresh directory`);
  mkdirSync(dstDir, { recursive: true });
  const files = src.files.map((f) => {
    const part = parsePartPath(f.path);
    assert(part !== null, `manifest path was validated as a part path, was '${f.path}'`);
    const path = f.path.slice(0, f.path.length - extOf(src.format).length) + extOf(format);
    const batches = readAll(join(srcDir, f.path), part.kind);
    const rows = batches.reduce((sum, b) => sum + b.length, 0);
    if (rows !== f.rows) throw new DataError(`${join(srcDir, f.path)}: holds ${rows} rows, the manifest says ${f.rows}`);
    const w = writeStreamFile(join(dstDir, path), part.kind, batches, format);
    return { path, sha256: w.sha256, rows: w.rows, bytes: w.bytes };
  });
  const manifest: Manifest = {
    ...src,
    format,
    files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    provenance: { ...src.provenance, convertedFrom: src.format },
  };
  writeManifest(dstDir, manifest);
  return manifest;
}

function readAll<K extends StreamKind>(path: string, kind: K): BatchOf[K][] {
  const file = openStreamFile(path, kind);
  const out: BatchOf[K][] = [];
  try {
    for (let b = file.nextBatch(); b !== null; b = file.nextBatch()) out.push(b);
  } finally {
    file.close();
  }
  return out;
}
