/**
 * The cell configurations in SPEC.md's vocabulary: what models describe and every backend reads (the reference
 * cells, and through native-config.ts the CPU and MLX addons' config readers).
 */

export type LtcMapping = 'affine' | 'linear' | 'none';
export type CfcMode = 'default' | 'no_gate' | 'pure';
export type CfcActivation = 'lecun_tanh' | 'tanh' | 'relu' | 'gelu' | 'silu';

export interface LtcCellConfig {
  /** S: input features. */
  inputSize: number;
  /** N: neurons (the state size). */
  units: number;
  /** M: motor neurons; the output is v[0:M] (mapped). */
  motorSize: number;
  /** U: ODE solver unfolds per step (ncps default 6). */
  odeUnfolds: number;
  /** ε added to the denominator (ncps default 1e-8). */
  epsilon: number;
  inputMapping: LtcMapping;
  outputMapping: LtcMapping;
  /** f = softplus on w, sensory_w, cm, gleak when true; identity when false. */
  implicitParamConstraints: boolean;
}

export interface CfcCellConfig {
  /** S: input features. */
  inputSize: number;
  /** N: hidden units (= state size = output size). */
  units: number;
  mode: CfcMode;
  activation: CfcActivation;
  /** U_b: width of every backbone layer. */
  backboneUnits: number;
  /** Backbone depth; 0 means the heads read z = [x; h] directly (as ncps does for backbone_layers=0). */
  backboneLayers: number;
  /** Dropout probability after backbone layers 2+ (never after layer 1), in [0, 1). */
  backboneDropout: number;
}

export interface WiredCfcCellConfig {
  /** S: input features. */
  inputSize: number;
  mode: CfcMode;
  /** Neurons per wiring layer, in order (AutoNCP: [inter, command, motor]). */
  layerSizes: number[];
}
