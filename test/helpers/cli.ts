/** Runs the CLI in-process (src/cli/main.ts's buildProgram): the exit code and what went to stdout / stderr. */
import { CommanderError } from 'commander';
import { buildProgram } from '../../src/cli/main.js';

export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
  const program = buildProgram(io, (c) => (code = c), (p) => p.exitOverride().configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) }));
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode;
  }
  return { code, out: out.join(''), err: err.join('') };
}
