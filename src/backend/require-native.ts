/**
 * Imported first by the package entry point: loading the package loads the native addon, so a missing build
 * or one made for another platform fails at import with a message naming the platform and the fix
 * (unless NCP_SILICON_BACKEND=reference asks for the TypeScript reference only).
 */
import { isReferenceOnly, loadNative } from './load.js';

if (!isReferenceOnly()) loadNative();
