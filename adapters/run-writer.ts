import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Out, QxEvent } from '../core/event.ts';

// Writes every emitted event of a run into `<dir>/topics/<topic>.jsonl.gz`, one canonical JSON
// line per event. Synchronous on purpose: the replay loop is synchronous, and a stream that only
// drains on the event loop would buffer a whole run in memory. Chunks are gzip members appended
// to the file (a concatenation of gzip members is a valid gzip file).

const CHUNK_CHARS_MAX = 1 << 20;

interface TopicFile {
  fd: number;
  pending: string;
  rows: number;
}

export class RunWriter {
  private readonly files = new Map<string, TopicFile>();
  private readonly dir: string;

  constructor(dir: string, private readonly only?: (topic: string) => boolean) {
    this.dir = join(dir, 'topics');
    mkdirSync(this.dir, { recursive: true });
  }

  /** Appends one emitted event, whose canonical encoding is `text` (the runtime's, as the digest hashed it), to its topic file. */
  write(ev: QxEvent<Out>, text: string): void {
    if (this.only !== undefined && !this.only(ev.topic)) return;
    let f = this.files.get(ev.topic);
    if (f === undefined) {
      f = { fd: openSync(join(this.dir, `${ev.topic}.jsonl.gz`), 'w'), pending: '', rows: 0 };
      this.files.set(ev.topic, f);
    }
    f.pending += text + '\n';
    f.rows++;
    if (f.pending.length >= CHUNK_CHARS_MAX) flush(f);
  }

  /** Flushes and closes every file; returns rows per topic, sorted by topic. */
  close(): Record<string, number> {
    const rows: Record<string, number> = {};
    for (const topic of [...this.files.keys()].sort()) {
      const f = this.files.get(topic) as TopicFile;
      flush(f);
      closeSync(f.fd);
      rows[topic] = f.rows;
    }
    this.files.clear();
    return rows;
  }
}

function flush(f: TopicFile): void {
  if (f.pending.length === 0) return;
  writeSync(f.fd, gzipSync(f.pending, { level: 1 }));
  f.pending = '';
}
