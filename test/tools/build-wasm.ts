import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assembleWat, wasmModuleSource, WASM_MODULES } from '../support/wasm.ts';

// `npm run build:wasm`: assembles every core/*.wat and writes the module that embeds it.

const ROOT = new URL('../..', import.meta.url).pathname;
for (const m of WASM_MODULES) {
  const bytes = await assembleWat(join(ROOT, m.wat));
  writeFileSync(join(ROOT, m.ts), wasmModuleSource(bytes, m.name, m.wat));
  process.stdout.write(`${m.wat} -> ${m.ts} (${bytes.length} bytes)\n`);
}
