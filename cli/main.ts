import { Command, CommanderError } from 'commander';
import { backtestCommand } from './commands/backtest.ts';
import { configCommand } from './commands/config.ts';
import { synthCommand } from './commands/synth.ts';
import { verifyCommand } from './commands/verify.ts';

// The composition root of `qx`: each command is a file under commands/; this only composes.

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Whether stderr is a terminal (progress bars). */
  tty: boolean;
}

export const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  tty: process.stderr.isTTY === true,
};

/** Returns a fresh `qx` program (a fresh one per test, as commander's maintainers advise). */
export function createProgram(io: Io = defaultIo): Command {
  const program = new Command('qx')
    .description('Deterministic backtest/live framework for crypto market-microstructure strategies')
    .version('0.1.0')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  for (const make of [backtestCommand, synthCommand, verifyCommand, configCommand]) {
    program.addCommand(make(io).exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err }));
  }
  return program;
}

/** Runs `qx` with `argv`; returns the exit code. Errors print as one line. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed its one-line message (or the help/version text).
      return e.exitCode;
    }
    io.err(`qx: ${firstLine(e)}\n`);
    return 1;
  }
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}
