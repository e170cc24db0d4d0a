import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Out, QxEvent } from '../core/event.ts';

// Writes every emitted event of a run into `<dir>/topics/<topic>.jsonl.gz`, one canonical JSON
// line per event. Synchronous on purpose: the replay loop is synchronous, and a stream that only
// drains on the event loop would buffer a whole run in memory. Chunks are gzip members appended
// to the file (a concatenation of gzip members is a valid gzip file).
//
// Each line is encoded into the topic's byte buffer as it comes, not kept as a string until its
// chunk is full: a record's text is a tree of concatenated pieces, and ~1 MB of them per topic,
// alive across many young-generation collections, were copied by each one (a 14-day backtest
// spent ~2 s of its ~14 s in scavenges; the buffers live outside the JavaScript heap).

const CHUNK_BYTES = 1 << 20;
/** Room past a chunk's size for the line that fills it; a longer line flushes first and may grow the buffer. */
const SLACK_BYTES = 1 << 16;
const NEWLINE = 10;

interface TopicFile {
  fd: number;
  buf: Buffer;
  /** Bytes of `buf` in use. */
  len: number;
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
      f = { fd: openSync(join(this.dir, `${ev.topic}.jsonl.gz`), 'w'), buf: Buffer.allocUnsafe(CHUNK_BYTES + SLACK_BYTES), len: 0, rows: 0 };
      this.files.set(ev.topic, f);
    }
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const most = 3 * text.length + 1;
    if (f.len + most > f.buf.length) {
      flush(f);
      if (most > f.buf.length) f.buf = Buffer.allocUnsafe(most);
    }
    f.len += f.buf.write(text, f.len, 'utf8');
    f.buf[f.len++] = NEWLINE;
    f.rows++;
    if (f.len >= CHUNK_BYTES) flush(f);
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
  if (f.len === 0) return;
  writeSync(f.fd, gzipSync(f.buf.subarray(0, f.len), { level: 1 }));
  f.len = 0;
}
