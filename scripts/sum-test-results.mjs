#!/usr/bin/env node
// Sums the vitest JSON reports (packages/*/.test-results.json) of one test run and prints the
// closing line CI reads: `tests: N passed, N failed[, N skipped]`. Exit code 1 when anything failed
// or no test ran.
//
// usage: node scripts/sum-test-results.mjs [turbo-dry-run.json [run-temp-dir]]
// With the output of `turbo run test --dry=json`, every package turbo meant to test must have a
// report: a missing one (its build failed, or vitest crashed before writing) counts as a failure.
// With the TMPDIR the run had to itself, anything still in it was left behind by a test (or a
// connector or backend it started) and counts as one failure.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPORT = '.test-results.json';

function reportedDirs() {
  const packages = join(repo, 'packages');
  return readdirSync(packages)
    .map((name) => join(packages, name))
    .filter((dir) => existsSync(join(dir, REPORT)));
}

/** Package dirs that have a real test task in the dry run. */
function expectedDirs(dryRunFile) {
  const dryRun = JSON.parse(readFileSync(dryRunFile, 'utf8'));
  return dryRun.tasks
    .filter((task) => task.task === 'test' && task.command && task.command !== '<NONEXISTENT>')
    .map((task) => join(repo, task.directory));
}

/** passed/failed/skipped of one vitest JSON report; a file that failed to load counts as one failure. */
function countReport(report) {
  let failed = report.numFailedTests ?? 0;
  for (const file of report.testResults ?? []) {
    const failedInFile = (file.assertionResults ?? []).filter((test) => test.status === 'failed').length;
    if (file.status === 'failed' && failedInFile === 0) failed += 1; // import error, crash in a hook, ...
  }
  // Unhandled errors make the run fail without failing any test: count them once.
  if (report.success === false && failed === 0) failed = 1;
  return {
    passed: report.numPassedTests ?? 0,
    failed,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const dirs = new Set(reportedDirs());
const dryRunFile = process.argv[2];
if (dryRunFile) for (const dir of expectedDirs(dryRunFile)) dirs.add(dir);

for (const dir of [...dirs].sort()) {
  const name = relative(repo, dir);
  const file = join(dir, REPORT);
  if (!existsSync(file)) {
    console.log(`${name}: no test report (its test task did not run or crashed): counted as 1 failed`);
    totals.failed += 1;
    continue;
  }
  const counts = countReport(JSON.parse(readFileSync(file, 'utf8')));
  console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
}

// Node's compile cache (vitest turns it on) lives in the temp dir by design: a cache, not a leftover.
const NOT_LEFTOVERS = new Set(['node-compile-cache']);
const runTempDir = process.argv[3];
if (runTempDir) {
  const left = readdirSync(runTempDir)
    .filter((name) => !NOT_LEFTOVERS.has(name))
    .sort();
  if (left.length > 0) {
    console.log(`left behind in the run's temp dir ${runTempDir}: ${left.join(', ')}: counted as 1 failed`);
    totals.failed += 1;
  }
}

const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exitCode = totals.failed > 0 || totals.passed === 0 ? 1 : 0;
