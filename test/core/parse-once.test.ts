import { describe, expect, it } from 'vitest';
import { PARSE_ONCE } from '../../core/component.ts';
import { CONFIGURABLE } from '../../cli/registry.ts';
import { RunConfigSchema } from '../../cli/config.ts';

// Goal: parsing with PARSE_ONCE (zod without its compiled fast path) gives the same parameters and
// the same errors as zod's default, for every configurable component and the run config.
// Method: parse defaults, every default given back explicitly, and a wrong key and a wrong type
// both ways; compare values and first issues.

const both = (schema: { safeParse: (v: unknown, o?: object) => { success: boolean; data?: unknown; error?: { issues: unknown[] } } }, v: unknown) => {
  const a = schema.safeParse(v);
  const b = schema.safeParse(v, PARSE_ONCE);
  expect(b.success).toBe(a.success);
  if (a.success) expect(b.data).toEqual(a.data);
  else expect(b.error?.issues[0]).toEqual(a.error?.issues[0]);
  return a;
};

describe('core > PARSE_ONCE', () => {
  it('every component parses defaults, explicit defaults and bad input as zod does by default', () => {
    for (const c of CONFIGURABLE) {
      const d = both(c.params, {});
      expect(d.success, c.id).toBe(true);
      both(c.params, d.data);
      expect(both(c.params, { notAParameter: 1 }).success).toBe(false);
      const firstKey = Object.keys(d.data as object)[0];
      expect(both(c.params, { [firstKey]: Symbol('wrong type') }).success, `${c.id}.${firstKey}`).toBe(false);
    }
  });

  it('the run config likewise', () => {
    const d = both(RunConfigSchema, {});
    both(RunConfigSchema, d.data);
    expect(both(RunConfigSchema, { components: { cvd: 3 } }).success).toBe(false);
  });
});
