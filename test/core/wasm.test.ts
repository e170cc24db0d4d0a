import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleWat, wasmModuleSource, WASM_MODULES } from '../support/wasm.ts';

// The WebAssembly the runtime runs is embedded in generated modules; they must be what their
// .wat sources assemble to today (`npm run build:wasm` regenerates them).

const ROOT = new URL('../..', import.meta.url).pathname;

describe('embedded WebAssembly', () => {
  for (const m of WASM_MODULES) {
    it(`${m.ts} is the assembly of ${m.wat}`, async () => {
      const bytes = await assembleWat(join(ROOT, m.wat));
      expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
      expect(readFileSync(join(ROOT, m.ts), 'utf8')).toBe(wasmModuleSource(bytes, m.name, m.wat));
    });
  }
});
