#!/usr/bin/env node
// Reads vitest's JSON report and prints the closing line CI looks for: "N passed, N failed[, N skipped]".
// Exits non-zero when anything failed or when no test ran, so a silent run cannot pass.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2] ?? 'test-results/vitest.json', 'utf8'));
const passed = report.numPassedTests ?? 0;
// A suite that fails to load (syntax error, import failure) has no tests but counts as a failure.
const failedSuites = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length;
const failed = (report.numFailedTests ?? 0) + failedSuites;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
