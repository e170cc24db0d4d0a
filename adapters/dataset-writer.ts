import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AssertionError, DataError, assert } from '../core/assert.ts';
import type { QxEvent } from '../core/event.ts';
import { US_PER_HOUR } from '../core/time.ts';
import { MANIFEST_FILE, writeManifest, type Manifest, type ManifestFile, type Provenance } from './manifest.ts';
import { columnBuilder, type ColumnBuilder } from './column-builder.ts';
import { partPath, STREAM_KINDS, writeStreamFile, type Format, type StreamKind } from './columnar.ts';

// Writes a dataset: raw events of the three kinds arrive in recvTs order per kind, are buffered
// as columns for the current UTC hour of each kind, and each hour is flushed to its part file as
// soon as that kind moves past it, so memory holds at most one hour per stream. `close()` writes
// manifest.json with each file's sha256, rows and bytes.

export interface DatasetWriterOptions {
  symbol: string;
  format: Format;
  provenance: Provenance;
  /** Declared time range [fromUs, toUs); events outside it are refused. Default: the events' span. */
  fromUs?: number;
  toUs?: number;
  /** Streams the dataset holds, even if one ends up empty. Default: the kinds added. */
  streams?: readonly StreamKind[];
}

interface Pending {
  hourUs: number;
  lastRecv: number;
  builder: ColumnBuilder<StreamKind>;
}

export class DatasetWriter {
  readonly dir: string;
  private readonly options: DatasetWriterOptions;
  private readonly pending = new Map<StreamKind, Pending>();
  private readonly files: ManifestFile[] = [];
  private minRecv = Infinity;
  private maxRecv = -Infinity;
  private closed = false;

  /** Starts a dataset in `dir`, which must not hold one already. */
  constructor(dir: string, options: DatasetWriterOptions) {
    assert(!existsSync(join(dir, MANIFEST_FILE)), `${dir} already holds a dataset; write into a fresh directory`);
    mkdirSync(dir, { recursive: true });
    this.dir = dir;
    this.options = options;
  }

  /** Buffers one event of `kind`; events of one kind must come in recvTs order. */
  add(kind: StreamKind, ev: QxEvent): void {
    assert(!this.closed, 'DatasetWriter.add after close');
    // Not assert(): its message would be built for every event written.
    if (!STREAM_KINDS.includes(kind)) throw new AssertionError(`kind must be one of ${STREAM_KINDS.join(', ')}, was '${kind}'`);
    const recv = ev.recvTs;
    if (!Number.isSafeInteger(recv) || !Number.isSafeInteger(ev.ts)) {
      throw new DataError(`${kind}: ts and recvTs must be integer µs, were ${ev.ts} and ${recv}`);
    }
    const o = this.options;
    if ((o.fromUs !== undefined && recv < o.fromUs) || (o.toUs !== undefined && recv >= o.toUs)) {
      throw new DataError(`${kind}: recvTs ${recv} lies outside the dataset range [${o.fromUs}, ${o.toUs})`);
    }
    const hourUs = Math.floor(recv / US_PER_HOUR) * US_PER_HOUR;
    let p = this.pending.get(kind);
    if (p === undefined) {
      p = { hourUs, lastRecv: -Infinity, builder: columnBuilder(kind) };
      this.pending.set(kind, p);
    }
    if (recv < p.lastRecv) throw new DataError(`${kind}: events must come in recvTs order, ${recv} came after ${p.lastRecv}`);
    if (hourUs !== p.hourUs) {
      this.flush(kind, p);
      p.hourUs = hourUs;
    }
    p.builder.add(ev);
    p.lastRecv = recv;
    if (recv < this.minRecv) this.minRecv = recv;
    if (recv > this.maxRecv) this.maxRecv = recv;
  }

  /** Flushes every buffered hour and writes manifest.json; returns the manifest. */
  close(): Manifest {
    assert(!this.closed, 'DatasetWriter.close called twice');
    this.closed = true;
    for (const kind of STREAM_KINDS) {
      const p = this.pending.get(kind);
      if (p !== undefined) this.flush(kind, p);
    }
    const o = this.options;
    const empty = this.minRecv > this.maxRecv;
    const manifest: Manifest = {
      schemaVersion: 1,
      symbol: o.symbol,
      format: o.format,
      streams: STREAM_KINDS.filter((k) => (o.streams ?? [...this.pending.keys()]).includes(k)),
      from_us: o.fromUs ?? (empty ? 0 : this.minRecv),
      to_us: o.toUs ?? (empty ? 0 : this.maxRecv + 1),
      files: [...this.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      provenance: o.provenance,
    };
    writeManifest(this.dir, manifest);
    return manifest;
  }

  private flush(kind: StreamKind, p: Pending): void {
    if (p.builder.length === 0) return;
    const path = partPath(kind, p.hourUs, this.options.format);
    const w = writeStreamFile(join(this.dir, path), kind, p.builder.columns(), this.options.format);
    this.files.push({ path, sha256: w.sha256, rows: w.rows, bytes: w.bytes });
    p.builder = columnBuilder(kind);
  }
}
