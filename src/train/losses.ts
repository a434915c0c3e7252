/**
 * Built-in losses over one batch, with their gradient dLoss/dOutput. They live on the backend floor
 * (backend/reference/loss.ts) because the reference backend's fused forwardBackwardLoss runs them too.
 */
export { computeLoss, type LossInput, type LossResult } from '../backend/reference/loss.js';
