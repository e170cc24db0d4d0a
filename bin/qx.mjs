#!/usr/bin/env node
// Entry point: runs the CLI's composition root from its bundle (bin/bundle.mjs says why), or
// through the TypeScript loader when the bundle cannot be built or QX_NO_BUNDLE is set (stack
// traces then point into the .ts sources).
import { cliBundle } from './bundle.mjs';

const bundle = process.env.QX_NO_BUNDLE ? null : await cliBundle();
let main;
if (bundle !== null) ({ main } = await import(bundle));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
