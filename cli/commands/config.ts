import { Command } from 'commander';
import { loadConfig, effectiveParams } from '../config.ts';
import { CONFIGURABLE } from '../registry.ts';
import type { Io } from '../main.ts';

// `qx config`: the effective configuration with every default filled in.

export function configCommand(io: Io): Command {
  return new Command('config')
    .description('Print the effective configuration, every parameter of every component with its default')
    .option('--config <file>', 'JSON configuration to merge over the defaults')
    .addHelpText('after', `
Examples:
  qx config > my.json        # edit, then: qx backtest --config my.json`)
    .action((o: { config?: string }) => {
      const config = loadConfig(o.config);
      const all = CONFIGURABLE;
      const effective = { symbol: config.symbol, bookMode: config.bookMode, components: effectiveParams(config, all) };
      io.out(JSON.stringify(effective, null, 2) + '\n');
    });
}
