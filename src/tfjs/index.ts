/**
 * ncp-silicon/tfjs: LTC and CfC as TensorFlow.js layers (`@tensorflow/tfjs` is an optional peer dependency,
 * needed only by this entry point). See docs/tfjs.md.
 */
export { NcpCell, NcpRNN, type NcpCellArgs } from './cell.js';
export { toTfjs, fromTfjs, type ToTfjsOptions, type FromTfjsOptions } from './convert.js';
export { withTimespans } from './timespans.js';
