import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PARSE_ONCE, type Component } from '../core/component.ts';
import { sha256Hex, canonical } from '../core/canonical.ts';

// One JSON configuration file (--config), validated by zod: unknown keys fail, every
// parameter of every component is defaulted by the component's own schema.

export const RunConfigSchema = z.strictObject({
  symbol: z.string().regex(/^[A-Z0-9]+$/).default('BTCUSDT'),
  bookMode: z.enum(['spot', 'usdm']).default('spot'),
  components: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
});
export type RunConfig = z.infer<typeof RunConfigSchema>;

/** Reads and validates a config file; throws one line naming the file and the problem. */
export function loadConfig(path: string | undefined): RunConfig {
  if (path === undefined) return RunConfigSchema.parse({}, PARSE_ONCE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`config ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = RunConfigSchema.safeParse(raw, PARSE_ONCE);
  if (!r.success) throw new Error(`config ${path}: ${oneLine(r.error)}`);
  return r.data;
}

/** Returns every component's effective parameters, failing on unknown component ids or keys. */
export function effectiveParams(config: RunConfig, components: readonly Component[], knownIds?: readonly string[]): Record<string, unknown> {
  const known = new Set(knownIds ?? components.map((c) => c.id));
  for (const id of Object.keys(config.components)) {
    if (!known.has(id)) throw new Error(`config: unknown component '${id}' (known: ${[...known].join(', ')})`);
  }
  const out: Record<string, unknown> = {};
  for (const c of components) {
    const r = c.params.safeParse(config.components[c.id] ?? {}, PARSE_ONCE);
    if (!r.success) throw new Error(`config: component '${c.id}': ${oneLine(r.error)}`);
    out[c.id] = r.data;
  }
  return out;
}

export function configHash(value: unknown): string {
  return sha256Hex(canonical(value));
}

function oneLine(err: z.ZodError): string {
  const i = err.issues[0];
  return `${i.path.join('.') || '(root)'}: ${i.message}`;
}
