#!/usr/bin/env node
/** The `ncp-silicon` command line. */
import { Command, InvalidArgumentError } from 'commander';
import { runInfo } from './info.js';

const program = new Command();
program
  .name('ncp-silicon')
  .description('Neural Circuit Policies (LTC, CfC) for TypeScript, with fused native kernels.')
  .showHelpAfterError('(add --help for usage)');

program
  .command('info')
  .description('print the native backends, SIMD level and threads, and draw an AutoNCP wiring to an SVG file')
  .option('-o, --out <file>', 'where to write the wiring drawing', 'ncp-wiring.svg')
  .option('--units <n>', 'neurons of the AutoNCP drawn', parsePositiveInt, 16)
  .option('--outputs <n>', 'motor neurons of the AutoNCP drawn', parsePositiveInt, 4)
  .option('--inputs <n>', 'input features of the AutoNCP drawn', parsePositiveInt, 6)
  .option('--json', 'print backend info as JSON only')
  .action((options) => runInfo(options));

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, received "${value}".`);
  return n;
}

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`ncp-silicon: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
