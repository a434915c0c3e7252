/**
 * The validation split `ncp-silicon train` scores itself on: the tail of each series, forecast by the model, by
 * persistence (the last observed value), by a linear model of the window's last step and, for dated data, by the
 * value one season back (seasonal-baseline.ts), all in data units. A
 * model that does not beat persistence there is not worth using, and the command says so.
 */
import { leastSquares } from '../demo/baselines.js';
import { decodeTarget, inputWidth, type CliWindows, type DataSpec, type NumericSequence, type WindowOrigin } from '../train/forecast-windows.js';

/**
 * Splits training origins by time within each sequence: windows whose forecast row lies in the last `fraction` of
 * that sequence's rows are validation, the rest training (their forecasts all come earlier, so nothing leaks).
 */
export function splitTail(sequences: readonly NumericSequence[], spec: DataSpec, origins: readonly WindowOrigin[], fraction: number): { train: WindowOrigin[]; validation: WindowOrigin[] } {
  const cutoff = new Map(sequences.map((s) => [s.id, s.inputs.length - Math.max(1, Math.round(fraction * s.inputs.length))]));
  const train: WindowOrigin[] = [];
  const validation: WindowOrigin[] = [];
  for (const o of origins) (o.row + spec.horizon >= cutoff.get(o.sequence)! ? validation : train).push(o);
  return { train, validation };
}

export interface Score {
  mse: number;
  mae: number;
}
/** Per target column: the model and each baseline that applies, in data units. */
export type ValidationScores = Record<string, Record<string, Score>>;
export const VALIDATION_KEY = 'ncp-silicon/validation';

/** Mean squared and absolute error of (N×P) forecasts against the windows' actual values, per target column. */
export function scoreForecasts(spec: DataSpec, windows: CliWindows, forecasts: ArrayLike<number>): Score[] {
  const P = spec.target.length;
  return spec.target.map((_, p) => {
    let se = 0;
    let ae = 0;
    for (let n = 0; n < windows.count; n++) {
      const e = forecasts[n * P + p] - windows.actual![n * P + p];
      se += e * e;
      ae += Math.abs(e);
    }
    return { mse: se / windows.count, mae: ae / windows.count };
  });
}

/** Model outputs (N×P, as trained) → forecasts in data units. */
export function decodeOutputs(spec: DataSpec, windows: CliWindows, outputs: ArrayLike<number>): Float64Array {
  const P = spec.target.length;
  return Float64Array.from({ length: windows.count * P }, (_, i) => decodeTarget(spec, i % P, outputs[i], windows.anchors![i]));
}

/**
 * Least squares (lightly ridged) from the last step's normalised inputs (with the time to target) and a bias to the
 * encoded target, fitted on the training windows; undefined when the system is too small or singular.
 */
export function linearForecast(spec: DataSpec, train: CliWindows, validation: CliWindows): Float64Array | undefined {
  const S = inputWidth(spec);
  const L = spec.window;
  const P = spec.target.length;
  const features = (w: CliWindows, n: number) => [...w.inputs.subarray((n * L + L - 1) * S, (n * L + L) * S), 1];
  const rows = Array.from({ length: train.count }, (_, n) => features(train, n));
  if (rows.length < 2 * (S + 1)) return undefined;
  const outputs = new Float64Array(validation.count * P);
  try {
    for (let p = 0; p < P; p++) {
      const beta = leastSquares(rows, Array.from({ length: train.count }, (_, n) => train.targets![n * P + p]), 1e-6 * rows.length);
      for (let n = 0; n < validation.count; n++) outputs[n * P + p] = features(validation, n).reduce((s, x, i) => s + x * beta[i], 0);
    }
  } catch {
    return undefined;
  }
  return decodeOutputs(spec, validation, outputs);
}

/** The scores table printed at the end of training (data units), and a warning line per target persistence wins. */
export function formatScores(scores: ValidationScores, modelName: string, windows: number, fraction: number, seasonalPeriodDays?: number): string {
  const lines = [`Validation: the last ${Math.round(fraction * 100)} % of each series, ${windows} forecasts, in data units:`];
  for (const [target, byModel] of Object.entries(scores)) {
    const persistence = byModel.persistence.mse;
    lines.push(`  ${target.padEnd(14)} ${'MSE'.padStart(12)} ${'MAE'.padStart(12)}  vs persistence`);
    for (const [name, s] of Object.entries(byModel)) {
      const vs = name === 'persistence' ? '' : `${s.mse <= persistence ? '−' : '+'}${Math.abs(100 * (1 - s.mse / persistence)).toFixed(1)} %`;
      const label = name === 'model' ? modelName : name === 'seasonal' ? `seasonal ${seasonalPeriodDays === 365.25 ? '1 y' : `${seasonalPeriodDays} d`}` : name;
      lines.push(`  ${label.padEnd(14)} ${fmt(s.mse)} ${fmt(s.mae)}  ${vs}`);
    }
  }
  for (const [target, byModel] of Object.entries(scores)) {
    if (!(byModel.model.mse < byModel.persistence.mse)) {
      lines.push(`warning: the model does not beat persistence on "${target}" (MSE ${byModel.model.mse.toPrecision(4)} vs ${byModel.persistence.mse.toPrecision(4)}); its forecasts are worse than repeating the last value. Try more --epochs, another --window, or --target-mode residual.`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function fmt(x: number): string {
  return x.toPrecision(5).padStart(12);
}
