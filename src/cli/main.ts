#!/usr/bin/env node
/**
 * The `ncp-silicon` command line. `buildProgram()` is exported so tests can drive the parser without spawning;
 * the program only runs when this file is the process's entry point.
 *
 * User errors (bad flags, unreadable files, data that does not fit) print one line, `ncp-silicon: …` or
 * commander's `error: …`, and exit 1, without a stack trace; set NCP_SILICON_DEBUG=1 to see stacks.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { READABLE_HELP } from './help-format.js';
import { runInfo } from './info.js';
import { runDemoCommand } from './demo.js';
import { DEMO_DEFAULTS } from '../demo/run-demo.js';
import { runTrainCommand } from './train.js';
import { runPredictCommand } from './predict.js';
import { registerProfile } from './profile.js';
import { runBenchCommand, type BenchCommandOptions } from './bench.js';
import { runCrossoverCommand, type CrossoverCommandOptions } from './crossover.js';
import { CliError } from './cli-error.js';
import { DEFAULT_NOISE_THRESHOLD } from '../monitor/hardware-bench/compare.js';
import { backendOption } from './backend-option.js';
import type { CommandIo } from './demo.js';

/**
 * `configure` runs before any subcommand is added, so settings such as exitOverride() and configureOutput()
 * (which subcommands copy when created) reach all of them; tests use it to capture output and errors.
 */
export function buildProgram(
  io: CommandIo = defaultIo(),
  setExitCode: (code: number) => void = (c) => (process.exitCode = c),
  configure?: (program: Command) => void,
): Command {
  const program = new Command();
  program
    .name('ncp-silicon')
    .description('Neural Circuit Policies (LTC, CfC) for TypeScript, with fused native kernels.')
    .showHelpAfterError('(add --help for usage)')
    .version(packageVersion(), '-V, --version', 'print the ncp-silicon version')
    .configureHelp(READABLE_HELP);
  configure?.(program);

  program
    .command('info')
    .description('print the native backends, SIMD level and threads, and draw an AutoNCP wiring to an SVG file')
    .option('-o, --out <file>', 'where to write the wiring drawing', 'ncp-wiring.svg')
    .option('--units <n>', 'neurons of the AutoNCP drawn', parsePositiveInt, 16)
    .option('--outputs <n>', 'motor neurons of the AutoNCP drawn', parsePositiveInt, 4)
    .option('--inputs <n>', 'input features of the AutoNCP drawn', parsePositiveInt, 6)
    .option('--json', 'print backend info as JSON only')
    .action((options) => runInfo(options));

  program
    .command('demo')
    .description('train a CfC and an LTC on irregularly sampled Seattle weather (2012–2015), compare them with baselines and write a report')
    .option('-o, --out <dir>', 'report folder (report.md, SVG plots, results.json, checkpoints)', DEMO_DEFAULTS.out)
    .option('--epochs <n>', 'training epochs per model', parsePositiveInt, DEMO_DEFAULTS.epochs)
    .option('--seed <n>', 'seed of the wirings, initial weights, shuffling and augmentation', parseSeed, DEMO_DEFAULTS.seed)
    .option('--data-seed <n>', 'seed of the days dropped from the evaluated series', parseSeed, DEMO_DEFAULTS.dataSeed)
    .option('--keep <p>', 'probability of keeping each day', parseProbability, DEMO_DEFAULTS.keep)
    .option('--window <n>', 'observations per input window', parsePositiveInt, DEMO_DEFAULTS.window)
    .option('--augment <n>', 'training copies of the series with other drop patterns (1 = none)', parsePositiveInt, DEMO_DEFAULTS.augment)
    .option('--units <n>', 'neurons per AutoNCP wiring (one of them the motor neuron)', (v) => parseIntAtLeast(v, 3), DEMO_DEFAULTS.units)
    .option('--models <list>', 'which models to train, comma-separated: cfc, ltc', parseModels, ['cfc', 'ltc'])
    .option('-q, --quiet', 'no progress display')
    .option('--json', 'print results.json to stdout instead of the table')
    .addHelpText('after', '\nExample:\n  $ npx ncp-silicon demo --epochs 10 --out /tmp/demo\n')
    .action(async (options) => setExitCode(await withInterrupt(io, (signal) => runDemoCommand(options, { ...io, signal }))));

  program
    .command('train')
    .description('train an LTC or CfC on sequences from a CSV or JSON file and save a checkpoint')
    .argument('<data>', 'CSV (a header row, one row per time step) or JSON (rows or sequences of rows) file')
    .requiredOption('-t, --target <columns>', 'column(s) to forecast, comma-separated', parseColumns)
    .option('-c, --columns <columns>', 'input columns, comma-separated (default every numeric column but time and sequence columns)', parseColumns)
    .option('--time-column <name>', 'column with each row\'s time, numbers or dates (the gaps, dates in days, become the timespans, and the time to the forecast row an input; default 1 per row)')
    .option('--sequence-column <name>', 'column identifying independent sequences (windows never cross sequences)')
    .option('-w, --window <n>', 'rows per input window', parsePositiveInt, 16)
    .option('--horizon <n>', 'forecast the target this many rows after the window\'s last row', parsePositiveInt, 1)
    .addOption(new Option('--target-mode <mode>', 'what the model learns: residual = the change from the last observed value (a model that outputs 0 is persistence), level = the value itself').choices(['residual', 'level']).default('residual'))
    .addOption(new Option('-m, --model <kind>', 'model kind').choices(['cfc', 'ltc']).default('cfc'))
    .option('-u, --units <n>', 'neurons of the AutoNCP wiring', (v) => parseIntAtLeast(v, 3), 16)
    .option('-e, --epochs <n>', 'training epochs', parsePositiveInt, 20)
    .option('-b, --batch-size <n>', 'samples per batch', parsePositiveInt, 32)
    .option('--lr <rate>', 'learning rate (Adam, or AdamW with --weight-decay)', parsePositiveNumber, 0.005)
    .option('--weight-decay <x>', 'decoupled weight decay (AdamW); 0 = plain Adam', parseNonNegativeNumber, 0)
    .option('--validation-split <fraction>', 'share of each series (its last rows) held out: scored at the end in data units beside persistence and a linear baseline', parseOpenFraction, 0.2)
    .option('--seed <n>', 'seed of the wiring, initial weights and shuffling', parseSeed, 1)
    .option('-o, --out <file>', 'checkpoint path (safetensors)', 'model.safetensors')
    .option('--checkpoint-every <n>', 'save the resumable run (<out>.resume.safetensors) every n epochs; it is also saved on Ctrl-C/SIGTERM', parsePositiveInt, 1)
    .option('--resume', 'continue the run saved in <out>.resume.safetensors (same data and options)')
    .addOption(backendOption())
    .option('-q, --quiet', 'no progress display')
    .addHelpText(
      'after',
      '\nInputs and targets are standardised with the training part\'s statistics; the checkpoint stores them (and the\n' +
        'columns, window, horizon and target mode) so `ncp-silicon predict` prepares new data the same way. At the end,\n' +
        'the validation tail is scored in data units beside persistence and a linear baseline (also stored in the\n' +
        'checkpoint), with a warning when the model does not beat persistence.\n\n' +
        'Example:\n  $ npx ncp-silicon train weather.csv --target temp_max --columns temp_max,temp_min,wind --time-column date \\\n' +
        '      --window 16 --model ltc --out ltc.safetensors\n',
    )
    .action(async (data, options) => setExitCode(await withInterrupt(io, (signal) => runTrainCommand(data, options, { ...io, signal }))));

  program
    .command('predict')
    .description('run a checkpoint over a CSV or JSON file and write one forecast per window')
    .argument('<checkpoint>', 'checkpoint written by `ncp-silicon train` (or any ncp-silicon model checkpoint, with --columns and --window)')
    .argument('<data>', 'CSV or JSON file with the columns the model was trained on')
    .option('-o, --out <file>', 'write predictions here (.csv or .json) instead of stdout')
    .addHelpText('after', '\nOutput: one row per window: [sequence,] row (its last input row, from 0), [time,] forecast_row, [forecast_time,]\nthe forecast of each target column in the data\'s units, then <target>_actual when the file has the value.\n\nExample:\n  $ npx ncp-silicon predict ltc.safetensors weather.csv --out forecasts.csv\n')
    .addOption(new Option('--format <format>', 'output format; without it, from --out\'s extension, else csv').choices(['csv', 'json']))
    .option('-c, --columns <columns>', 'input columns, for checkpoints without training metadata', parseColumns)
    .option('-w, --window <n>', 'rows per window, for checkpoints without training metadata', parsePositiveInt)
    .option('--time-column <name>', 'time column, as in train (checkpoints from train record it; a different one is refused)')
    .option('--sequence-column <name>', 'column identifying independent sequences, as in train (checkpoints from train record it)')
    .option('-b, --batch-size <n>', 'windows per forward pass', parsePositiveInt, 256)
    .addOption(backendOption())
    .action(async (checkpoint, data, options) => setExitCode(await withInterrupt(io, (signal) => runPredictCommand(checkpoint, data, options, { ...io, signal }))));

  // `profile` lives in its own module (written alongside the monitor) and adds itself.
  registerProfile(program);

  program
    .command('bench')
    .description('benchmark the LTC and CfC kernels on every backend present (CPU, MLX, onnxruntime) against this machine\'s measured ceilings; writes bench.html, bench.md and bench.json')
    .option('--quick', 'one shape per case and short time budgets (well under a minute)')
    .option('-o, --out <dir>', 'report folder (default ./ncp-bench-<date>T<time>)')
    .option('--compare <old.json>', 'an earlier bench.json: print each case\'s throughput ratio and the regressions and improvements')
    .option('--noise <fraction>', 'with --compare: a throughput change within ±fraction is noise, not a regression or improvement', parseOpenFraction, DEFAULT_NOISE_THRESHOLD)
    .option('-q, --quiet', 'no progress display')
    .option('--crossover', "instead: measure where MLX starts to beat the CPU kernels here and store it for backend 'auto' (prints the table)")
    .option('--time-cap <seconds>', 'with --crossover: stop climbing before a size that would take the run past this', parsePositiveNumber)
    .option('--max-work <n>', 'with --crossover: the largest batch × steps × units tried', parsePositiveInt)
    .option('--repeats <n>', 'with --crossover: timed calls per backend, case and size (the median counts)', parsePositiveInt)
    .option('--json', 'with --crossover: print the measurement as JSON')
    .addHelpText('after', '\nCases: LTC and CfC on AutoNCP(64, 8) with 16 inputs: a single step (B 1), forward and forwardBackward at a few\n(B, L), and one fit() epoch. See docs/benchmarks.md.\n\n--crossover times forward and forwardBackward on the CPU and on MLX over growing batch × steps (seconds: --quick\ncaps it at 5 s, else 30 s) and stores the smallest size MLX wins in the cache backend \'auto\' reads (docs/mlx.md).\n\nExample:\n  $ npx ncp-silicon bench --quick --out /tmp/bench && npx ncp-silicon bench --compare /tmp/bench/bench.json\n  $ npx ncp-silicon bench --crossover\n')
    .action(async (options) => setExitCode(await withInterrupt(io, (signal) => (options.crossover ? runCrossoverCommand(crossoverOptions(options), { ...io, signal }) : runBenchCommand(benchOptions(options), { ...io, signal, version: packageVersion() })))));
  return program;
}

const CROSSOVER_ONLY = ['timeCap', 'maxWork', 'repeats', 'json'] as const;
const QUICK_CROSSOVER_SECONDS = 5;

/** bench's options for the kernel benchmark; the --crossover ones are refused there. */
function benchOptions(options: BenchCommandOptions & Record<string, unknown>): BenchCommandOptions {
  const stray = CROSSOVER_ONLY.find((k) => options[k] !== undefined);
  if (stray) throw new CliError(`bench: --${kebab(stray)} applies to --crossover only.`);
  return options;
}

/** bench --crossover's options; the report options of the kernel benchmark are refused there. */
function crossoverOptions(options: Record<string, unknown>): CrossoverCommandOptions {
  const stray = (['out', 'compare'] as const).find((k) => options[k] !== undefined);
  if (stray) throw new CliError(`bench --crossover: --${stray} applies to the kernel benchmark only (the crossover is stored in the cache and printed).`);
  const timeCap = (options.timeCap as number | undefined) ?? (options.quick ? QUICK_CROSSOVER_SECONDS : undefined);
  return { timeCap, maxWork: options.maxWork as number | undefined, repeats: options.repeats as number | undefined, json: options.json === true, quiet: options.quiet === true };
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The installed package's version, read from its package.json (two levels up from src/cli and dist/cli). */
export function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof version !== 'string') throw new Error('ncp-silicon: its package.json has no version string.');
  return version;
}

// ---- option parsers: commander shows `error: option '--x <n>' argument 'v' is invalid. <our message>` ----

export function parsePositiveInt(value: string): number {
  return parseIntAtLeast(value, 1);
}

export function parseIntAtLeast(value: string, min: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new InvalidArgumentError(`expected ${min === 1 ? 'a positive integer' : `an integer ≥ ${min}`}, received "${value}".`);
  }
  return n;
}

export function parseSeed(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) {
    throw new InvalidArgumentError(`expected an integer from 0 to ${2 ** 32 - 1}, received "${value}".`);
  }
  return n;
}

export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, received "${value}".`);
  return n;
}

export function parseNonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, received "${value}".`);
  return n;
}

export function parseProbability(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n <= 1)) throw new InvalidArgumentError(`expected a number in (0, 1], received "${value}".`);
  return n;
}

export function parseOpenFraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError(`expected a number in (0, 1), received "${value}".`);
  return n;
}

export function parseColumns(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError(`expected comma-separated column names, received "${value}".`);
  if (new Set(names).size !== names.length) throw new InvalidArgumentError(`expected distinct column names, received "${value}".`);
  return names;
}

export function parseModels(value: string): ('cfc' | 'ltc')[] {
  const names = parseColumns(value.toLowerCase());
  const bad = names.find((n) => n !== 'cfc' && n !== 'ltc');
  if (bad !== undefined) throw new InvalidArgumentError(`expected a comma-separated list of cfc and ltc, received "${value}".`);
  return names as ('cfc' | 'ltc')[];
}

/**
 * Runs `task` with an AbortSignal that the first Ctrl-C (or SIGTERM) fires (training stops at the next batch and the command
 * reports what it can); a second Ctrl-C exits at once.
 */
export async function withInterrupt(io: CommandIo, task: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    io.stderr.write('\nncp-silicon: stopping after the current batch (Ctrl-C again to quit now)\n');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await task(controller.signal);
  } catch (error) {
    // An abort that lands outside fit (in predict, say) rejects with the signal's reason: still an interrupt.
    if (controller.signal.aborted) {
      io.stderr.write('ncp-silicon: interrupted.\n');
      return 130;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function defaultIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `ncp-silicon predict … | head` closes the pipe early: that is a normal end, not a crash.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      if (process.env.NCP_SILICON_DEBUG && error instanceof Error) console.error(error.stack);
      else console.error(`ncp-silicon: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    });
}
