import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { parseColumns, parseModels, parsePositiveInt, parseProbability, parseSeed } from './main.js';
import { CliError } from './train.js';
import { loadModel } from '../io/checkpoint.js';
import { loadSafetensors, saveSafetensors } from '../io/safetensors.js';
import { runCli as run } from '../../test/helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ncp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('option parsers', () => {
  it('accept good values and reject bad ones with our message style', () => {
    expect(parsePositiveInt('12')).toBe(12);
    for (const bad of ['0', '-1', '1.5', 'abc', '']) expect(() => parsePositiveInt(bad)).toThrow(InvalidArgumentError);
    expect(() => parsePositiveInt('abc')).toThrow('expected a positive integer, received "abc".');
    expect(parseSeed('0')).toBe(0);
    expect(() => parseSeed('4294967296')).toThrow('expected an integer from 0 to 4294967295, received "4294967296".');
    expect(parseProbability('0.5')).toBe(0.5);
    expect(() => parseProbability('0')).toThrow('expected a number in (0, 1], received "0".');
    expect(parseColumns('a, b')).toEqual(['a', 'b']);
    expect(() => parseColumns('a,,b')).toThrow('expected comma-separated column names, received "a,,b".');
    expect(() => parseColumns('a,a')).toThrow('expected distinct column names');
    expect(parseModels('LTC,cfc')).toEqual(['ltc', 'cfc']);
    expect(() => parseModels('cfc,gru')).toThrow('expected a comma-separated list of cfc and ltc, received "cfc,gru".');
  });
});

describe('command line', () => {
  it('documents every command and option in --help', async () => {
    const top = await run('--help');
    expect(top.code).toBe(0);
    for (const c of ['info', 'demo', 'train', 'predict']) expect(top.out).toContain(c);
    const demo = await run('demo', '--help');
    for (const o of ['--out <dir>', '--epochs <n>', '--seed <n>', '--data-seed <n>', '--quiet', '--json', '--models <list>']) expect(demo.out).toContain(o);
    const train = await run('train', '--help');
    for (const o of ['<data>', '--target <columns>', '--columns <columns>', '--window <n>', '--horizon <n>', '--model <kind>', '--units <n>', '--epochs <n>', '--batch-size <n>', '--lr <rate>', '--seed <n>', '--out <file>', '--time-column <name>', '--target-mode <mode>', '--validation-split <fraction>', '--checkpoint-every <n>', '--resume']) {
      expect(train.out).toContain(o);
    }
    const predict = await run('predict', '--help');
    for (const o of ['<checkpoint>', '<data>', '--out <file>', '--format <format>']) expect(predict.out).toContain(o);
  });

  it('rejects bad flags with exit code 1 and one clear line', async () => {
    const epochs = await run('demo', '--epochs', 'abc');
    expect(epochs.code).toBe(1);
    expect(epochs.err).toContain(`error: option '--epochs <n>' argument 'abc' is invalid. expected a positive integer, received "abc".`);
    const model = await run('train', 'x.csv', '--target', 'y', '--model', 'gru');
    expect(model.code).toBe(1);
    expect(model.err).toMatch(/argument 'gru' is invalid\. Allowed choices are cfc, ltc/);
    const missing = await run('train', 'x.csv');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("required option '-t, --target <columns>' not specified");
    const unknown = await run('demo', '--epoch', '3');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("unknown option '--epoch'");
    expect(unknown.err).toContain('--epochs');
  });
});

describe('demo command', () => {
  it('prints the table and where the report is, or results.json with --json', async () => {
    const out = join(dir, 'demo');
    const r = await run('demo', '--epochs', '1', '--augment', '1', '--window', '4', '--models', 'cfc', '--out', out, '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/model\s+test MSE\s+vs persistence/);
    expect(r.out).toMatch(/\nCfC\s+\d+\.\d{3}\s+[-+]\d+\.\d%/);
    expect(r.out).toContain(`Report: ${join(out, 'report.md')}`);
    expect(r.err).toBe(''); // --quiet: no progress
    expect(existsSync(join(out, 'cfc.safetensors'))).toBe(true);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(`npx ncp-silicon demo --out ${out} --seed 1 --data-seed 1 --epochs 1 --window 4 --augment 1 --models cfc`);
    const j = await run('demo', '--epochs', '1', '--augment', '1', '--window', '4', '--models', 'ltc', '--out', out, '--quiet', '--json');
    expect(Object.keys(JSON.parse(j.out).models)).toEqual(['ltc']);
    expect(j.err).toContain('Report: ');
  });
});

describe('train and predict', () => {
  // An irregularly sampled damped oscillation: x(t) and the elapsed time matter for the next value.
  const csv = join(dir, 'wave.csv');
  const rows = ['t,x,noise,label'];
  let t = 0;
  for (let i = 0; i < 160; i++) {
    t += 1 + (i % 3) * 0.5;
    rows.push(`${t},${Math.sin(t / 4).toFixed(5)},${((i * 37) % 11) / 11},"r${i}, text"`);
  }
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const checkpoint = join(dir, 'wave.safetensors');

  it('trains from a CSV and writes a loadable checkpoint with its data spec', async () => {
    const r = await run('train', csv, '--target', 'x', '--time-column', 't', '--window', '6', '--units', '6', '--epochs', '3', '--quiet', '--out', checkpoint);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(checkpoint);
    expect(r.err).toContain('CfC on AutoNCP(6, 1)');
    expect(r.err).toContain('from ' + csv);
    const model = await loadModel(checkpoint);
    expect(model.inputSize).toBe(3); // x, noise and the time to the forecast row: the time and text columns are not inputs
  });

  it('predicts one forecast per window with its times and the actual value, as CSV on stdout or JSON in a file', async () => {
    const r = await run('predict', checkpoint, csv);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('row,time,forecast_row,forecast_time,x,x_actual');
    expect(lines).toHaveLength(1 + 160 - 5);
    const cells = (line: string) => line.split(',');
    const [row5, t5, next6, t6, , actual6] = cells(lines[1]);
    expect([row5, t5, next6, t6, actual6]).toEqual(['5', rows[6].split(',')[0], '6', rows[7].split(',')[0], String(Number(rows[7].split(',')[1]))]);
    // Past the data's end: no actual value, and the last time plus the median gap (gaps 1, 1.5, 2 → 1.5).
    const [row159, t159, next160, t160, , actual160] = cells(lines.at(-1)!);
    expect([row159, t159, next160, actual160]).toEqual(['159', rows[160].split(',')[0], '160', '']);
    expect(Number(t160)).toBe(Number(rows[160].split(',')[0]) + 1.5);
    const out = join(dir, 'pred.json');
    const j = await run('predict', checkpoint, csv, '--out', out);
    expect(j.err).toContain(`155 forecasts written to ${out}`);
    const records = JSON.parse(readFileSync(out, 'utf8'));
    expect(records[0]).toMatchObject({ row: 5, time: rows[6].split(',')[0], forecast_row: 6, x_actual: Number(rows[7].split(',')[1]) });
    expect(records.at(-1)).toMatchObject({ row: 159, forecast_row: 160, x_actual: null });
    // The same --time-column as train is accepted; another one would misread the data and is refused.
    expect((await run('predict', checkpoint, csv, '--time-column', 't')).out).toBe(r.out);
    await expect(run('predict', checkpoint, csv, '--time-column', 'noise')).rejects.toThrow(`${checkpoint} was trained with --time-column t; received --time-column noise.`);
    await expect(run('predict', checkpoint, csv, '--sequence-column', 'label')).rejects.toThrow(`${checkpoint} was trained with no --sequence-column; received --sequence-column label.`);
    expect(Math.abs(records[0].x)).toBeLessThan(3);
  });

  describe('predict validates the training metadata it reads', () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    let crafted = 0;
    /** The trained checkpoint with its data spec edited. */
    const withSpec = async (edit: (spec: Record<string, unknown>) => void) => {
      const { tensors, metadata } = await loadSafetensors(checkpoint);
      const spec = JSON.parse(metadata['ncp-silicon/data']!);
      edit(spec);
      const path = join(dir, `crafted-${crafted++}.safetensors`);
      await saveSafetensors(tensors as never, path, { metadata: { ...metadata, 'ncp-silicon/data': JSON.stringify(spec) } });
      return path;
    };
    const corrupt = (path: string, detail: string) => `ncp-silicon: ${path} has a corrupt "ncp-silicon/data" metadata entry: ${detail}`;

    // The three reported cases, through the real entry point: one line, exit 1, no stack, no output.
    it.each([
      ['columns: 5', (s: Record<string, unknown>) => (s.columns = 5), 'expected 2 distinct non-empty column names (the model takes 3 input features, the last the time to the target) for columns, received number 5.'],
      ['window: -5', (s: Record<string, unknown>) => (s.window = -5), 'expected an integer ≥ 1 for window, received number -5.'],
      ['inputStd: 0', (s: Record<string, unknown>) => (s.inputStd = [0, 0]), 'expected 2 finite numbers > 0 (one per column) for inputStd, received Array(2).'],
    ])('%s exits 1 with a message naming the field', async (_what, edit, detail) => {
      const path = await withSpec(edit);
      const child = spawnSync(process.execPath, ['--import', 'tsx', main, 'predict', path, csv], { encoding: 'utf8', timeout: 60_000 });
      expect(child.stderr.trim()).toBe(corrupt(path, detail));
      expect(child.status).toBe(1);
      expect(child.stdout).toBe('');
    });

    it('refuses every other field out of type, range or step with the model', async () => {
      const cases: [(s: Record<string, any>) => void, string][] = [
        [(s) => (s.columns = ['x']), 'for columns, received Array(1).'],
        [(s) => (s.columns = ['x', 'x']), 'for columns, received Array(2).'],
        [(s) => (s.target = ['x', 'noise']), 'expected 1 distinct non-empty column names (the model has 1 outputs) for target, received Array(2).'],
        [(s) => (s.window = 2.5), 'for window, received number 2.5.'],
        [(s) => (s.window = 1e300), 'for window, received number 1e+300.'],
        [(s) => (s.horizon = '1'), 'expected an integer ≥ 1 for horizon, received string "1".'],
        [(s) => (s.firstGap = 0), 'expected a finite number > 0 (a timespan) for firstGap, received number 0.'],
        [(s) => (s.timeColumn = 7), 'expected a column name or nothing for timeColumn, received number 7.'],
        [(s) => (s.seasons = [0]), 'expected up to 4 finite numbers > 0 (season lengths) or nothing for seasons, received Array(1).'],
        [(s) => (s.seasons = 365), 'expected up to 4 finite numbers > 0 (season lengths) or nothing for seasons, received number 365.'],
        [(s) => (s.sequenceColumn = ''), 'for sequenceColumn, received string "".'],
        [(s) => (s.inputMean = [0, 'a']), 'expected 2 finite numbers (one per column) for inputMean, received Array(2).'],
        [(s) => (s.inputStd = [1, -1]), 'for inputStd, received Array(2).'],
        [(s) => (s.targetMean = []), 'expected 1 finite numbers (one per column) for targetMean, received Array(0).'],
        [(s) => (s.targetStd = [null]), 'expected 1 finite numbers > 0 (one per column) for targetStd, received Array(1).'],
        [(s) => (s.targetMode = 'delta'), 'expected "residual", "level" or nothing for targetMode, received string "delta".'],
        [(s) => (s.leadStd = 0), 'expected a finite number > 0 for leadStd, received number 0.'],
        [(s) => (s.leadMean = 'x'), 'expected a finite number for leadMean, received string "x".'],
        [(s) => ((s.timeColumn = undefined), (s.leadMean = 2)), 'expected nothing (there is no timeColumn) for leadMean, received number 2.'],
      ];
      for (const [edit, detail] of cases) {
        const path = await withSpec(edit);
        const error = await run('predict', path, csv).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CliError);
        const line = `ncp-silicon: ${(error as Error).message}`;
        expect(line.startsWith(corrupt(path, 'expected ')), line).toBe(true);
        expect(line.endsWith(detail), line).toBe(true);
      }
    });
  });

  it('writes forecast times past the end of a date column as dates (the last date plus the median gap)', async () => {
    const dated = join(dir, 'dated.csv');
    const day = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    // Every other day, with a one-day gap every third row: gaps 2, 2, 1 → median 2.
    const days = Array.from({ length: 30 }, (_, i) => Math.floor(i * 5 / 3));
    writeFileSync(dated, `date,v\n${days.map((d, i) => `${day(d)},${Math.cos(i / 2).toFixed(4)}`).join('\n')}\n`);
    const out = join(dir, 'dated.safetensors');
    expect((await run('train', dated, '--target', 'v', '--time-column', 'date', '--window', '4', '--units', '4', '--epochs', '1', '--quiet', '--out', out)).code).toBe(0);
    const last = (await run('predict', out, dated)).out.trim().split('\n').at(-1)!.split(',');
    expect([last[1], last[3], last.at(-1)]).toEqual([day(days[29]), day(days[29] + 2), '']);
  });

  it('reads JSON sequences and trains an LTC with a validation split', async () => {
    const json = join(dir, 'seqs.json');
    const seq = (phase: number) => Array.from({ length: 40 }, (_, i) => ({ a: Math.sin(i / 3 + phase), b: Math.cos(i / 3 + phase) }));
    writeFileSync(json, JSON.stringify({ sequences: [seq(0), seq(1), seq(2)] }));
    const out = join(dir, 'ltc.safetensors');
    const r = await run('train', json, '--target', 'a,b', '--model', 'ltc', '--window', '5', '--horizon', '2', '--units', '6', '--epochs', '2', '--validation-split', '0.2', '--quiet', '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toContain('LTC on AutoNCP(6, 2)');
    expect(r.err).toContain('102 windows'); // 3 sequences × (40 − 5 − 2 + 1)
    const p = await run('predict', out, json, '--format', 'csv');
    expect(p.out.split('\n')[0]).toBe('sequence,row,forecast_row,a,b,a_actual,b_actual');
  });

  it('reports user errors as typed errors with one-line messages (no stack traces from main)', async () => {
    await expect(run('train', join(dir, 'nope.csv'), '--target', 'x')).rejects.toMatchObject({ name: 'DataFormatError', code: 'NCP_DATA_FORMAT' });
    await expect(run('train', join(dir, 'nope.csv'), '--target', 'x')).rejects.toThrow(`cannot read ${join(dir, 'nope.csv')}: no such file.`);
    await expect(run('train', csv, '--target', 'y')).rejects.toThrow(`has no column "y" (columns: t, x, noise, label).`);
    await expect(run('train', csv, '--target', 'x', '--columns', 'label')).rejects.toThrow(/expected a number in column "label" at row 0, received "r0, text"/);
    await expect(run('train', csv, '--target', 'x', '--window', '200')).rejects.toThrow(/no sequence with the 201 rows/);
    await expect(run('predict', join(dir, 'nope.safetensors'), csv)).rejects.toThrow('no such file');
    await expect(run('predict', csv, csv)).rejects.toThrow(CliError);
    await expect(run('predict', checkpoint, csv, '--window', '4')).rejects.toThrow(/already records its columns/);
  });
});

describe('the built entry point', () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const root = fileURLToPath(new URL('../..', import.meta.url));
  // The timeouts are hang guards, not speed checks: a cold `tsx` start and the addon's load take seconds here but
  // far longer on a loaded or instrumented machine (npm run test:sanitize).
  const HANG_GUARD_MS = 300_000;
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', cwd: root, timeout: HANG_GUARD_MS });

  it('prints the package version (from package.json) with --version and -V', { timeout: 2 * HANG_GUARD_MS }, () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = cli(flag);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it('exits 1 with a single message and no stack trace on user errors', { timeout: 2 * HANG_GUARD_MS }, () => {
    const bad = cli('demo', '--seed', '-3');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`argument '-3' is invalid. expected an integer from 0 to 4294967295, received "-3".`);
    const path = join(dir, 'missing.csv');
    const missing = cli('train', path, '--target', 'x', '--out', join(dir, 'never.safetensors'));
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(`ncp-silicon: cannot read ${path}: no such file.`);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'never.safetensors'))).toBe(false);
  });
});
