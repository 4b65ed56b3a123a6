#!/usr/bin/env node
// Sets the one version of the repository: every packages/*/package.json, and CHANGELOG.md, whose
// Unreleased section becomes the section of that version (with today's date) under a new, empty
// Unreleased. The images take the same version from the release tag (CONTRIBUTING.md).
//
// usage: node scripts/set-version.mjs <major.minor.patch[-pre-release]> [--root <repository>]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$/;
const UNRELEASED = '## [Unreleased]';

function fail(message, code = 1) {
  process.stderr.write(`set-version: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = rootAt === -1 ? join(dirname(fileURLToPath(import.meta.url)), '..') : args[rootAt + 1];
if (rootAt !== -1) args.splice(rootAt, 2);
const [version, ...extra] = args;
if (extra.length > 0) fail(`unexpected arguments: ${extra.join(' ')}`, 2);
if (!version || !root) fail('usage: node scripts/set-version.mjs <major.minor.patch[-pre-release]>', 2);
if (!SEMVER.test(version)) fail(`"${version}" is not a version like 1.4.0 or 1.5.0-rc.1`, 2);

// The changelog first: refuse before anything is written.
const changelogPath = join(root, 'CHANGELOG.md');
const changelog = readFileSync(changelogPath, 'utf8');
if (!changelog.includes(`\n${UNRELEASED}\n`)) fail(`CHANGELOG.md has no "${UNRELEASED}" section`);
if (changelog.includes(`\n## [${version}]`)) fail(`CHANGELOG.md already has a section for ${version}`);
const unreleased = changelog.split(`\n${UNRELEASED}\n`)[1].split(/\n## \[/)[0];
if (unreleased.trim() === '') fail(`nothing is listed under "${UNRELEASED}" in CHANGELOG.md`);

const packages = join(root, 'packages');
for (const name of readdirSync(packages).sort()) {
  const path = join(packages, name, 'package.json');
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    continue; // not a package
  }
  // Only the version line changes: the file keeps its layout.
  const updated = text.replace(/^(\s*"version":\s*)"[^"]*"/m, `$1"${version}"`);
  if (updated === text && JSON.parse(text).version !== version) fail(`${path} has no "version" to set`);
  writeFileSync(path, updated);
}

const today = new Date().toISOString().slice(0, 10);
writeFileSync(
  changelogPath,
  changelog.replace(`\n${UNRELEASED}\n`, `\n${UNRELEASED}\n\n## [${version}] - ${today}\n`),
);
process.stdout.write(`set-version: every package and CHANGELOG.md are at ${version}; tag it v${version}\n`);
