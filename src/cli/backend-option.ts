/** --backend, shared by train, predict and profile. */
import { Option } from 'commander';
import { BACKEND_CHOICES } from '../backend/select.js';

export function backendOption(): Option {
  return new Option('--backend <name>', 'where the model computes: auto (the CPU, or MLX for large calls on a Metal GPU), cpu, mlx (needs npm run build:mlx; float32) or reference (plain TypeScript, slow)')
    .choices([...BACKEND_CHOICES])
    .default('auto');
}
