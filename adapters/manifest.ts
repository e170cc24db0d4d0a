import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../core/assert.ts';
import { PARSE_ONCE } from '../core/component.ts';
import { FORMATS, parsePartPath, STREAM_KINDS } from './columnar.ts';

// `<dataset>/manifest.json`: what a dataset holds (symbol, format, streams, time range), every
// part file with its sha256, row count and size, and where the data came from. Readers trust
// the manifest's file list; `qx verify` and the replay check the files against it.

export const MANIFEST_FILE = 'manifest.json';

const ManifestFileSchema = z.strictObject({
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

const ProvenanceSchema = z.looseObject({
  generator: z.string().min(1).optional(),
  importer: z.string().min(1).optional(),
  params: z.record(z.string(), z.unknown()),
  createdBy: z.string().min(1),
});

export const ManifestSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    symbol: z.string().regex(/^[A-Z0-9]+$/, 'symbol must be upper-case letters and digits, e.g. BTCUSDT'),
    format: z.enum(FORMATS),
    streams: z.array(z.enum(STREAM_KINDS)),
    from_us: z.number().int(),
    to_us: z.number().int(),
    files: z.array(ManifestFileSchema),
    provenance: ProvenanceSchema,
  })
  .superRefine((m, ctx) => {
    if (m.to_us < m.from_us) ctx.addIssue({ code: 'custom', path: ['to_us'], message: `to_us must not be before from_us ${m.from_us}, was ${m.to_us}` });
    if (new Set(m.streams).size !== m.streams.length) ctx.addIssue({ code: 'custom', path: ['streams'], message: 'streams must not repeat' });
    const seen = new Set<string>();
    m.files.forEach((f, i) => {
      const part = parsePartPath(f.path);
      const where = ['files', i, 'path'];
      if (part === null) ctx.addIssue({ code: 'custom', path: where, message: `must be <kind>/date=YYYY-MM-DD/part-HH.<ext>, was '${f.path}'` });
      else if (part.format !== m.format) ctx.addIssue({ code: 'custom', path: where, message: `must be a ${m.format} file, was '${f.path}'` });
      else if (!m.streams.includes(part.kind)) ctx.addIssue({ code: 'custom', path: where, message: `is of stream '${part.kind}', which streams does not list` });
      if (seen.has(f.path)) ctx.addIssue({ code: 'custom', path: where, message: `is listed twice: '${f.path}'` });
      seen.add(f.path);
    });
  });

export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestFile = z.infer<typeof ManifestFileSchema>;
export type Provenance = z.infer<typeof ProvenanceSchema>;

/** Returns the manifest of the dataset in `dir`; throws a DataError with a one-line reason when it is missing or invalid. */
export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) {
    throw new DataError(`${dir}: no ${MANIFEST_FILE}, so not a qx dataset (make one with 'qx synth')`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DataError(`${path}: corrupt manifest, not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const r = ManifestSchema.safeParse(json, PARSE_ONCE);
  if (!r.success) throw new DataError(`${path}: invalid manifest: ${issues(r.error)}`);
  return r.data;
}

/** Validates `m` and writes it atomically to `<dir>/manifest.json` with a fixed key order. */
export function writeManifest(dir: string, m: Manifest): void {
  const r = ManifestSchema.safeParse(m, PARSE_ONCE);
  if (!r.success) throw new DataError(`${dir}: refusing to write an invalid manifest: ${issues(r.error)}`);
  const path = join(dir, MANIFEST_FILE);
  writeFileSync(`${path}.tmp`, manifestJson(r.data));
  renameSync(`${path}.tmp`, path);
}

/** Returns the manifest as JSON text with a fixed key order, so equal manifests are equal bytes. */
export function manifestJson(m: Manifest): string {
  const ordered = {
    schemaVersion: m.schemaVersion,
    symbol: m.symbol,
    format: m.format,
    streams: m.streams,
    from_us: m.from_us,
    to_us: m.to_us,
    files: m.files.map((f) => ({ path: f.path, sha256: f.sha256, rows: f.rows, bytes: f.bytes })),
    provenance: m.provenance,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function issues(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
