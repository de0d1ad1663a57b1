// Loads a bundle of the CLI (dist/tsvisor.cjs, dist/tsvisor-test.cjs:
// scripts/bundle.js makes them) with V8's code cache for it
// (BUNDLE.cache, written at build time): a 1.6 MB script parsed and
// compiled anew costs every `tsvisor` command, the Sentry's start-up
// included, about 20 ms of its ~110. The bundle is a CommonJS module run in
// Node's module wrapper, as Node's own loader would run it, because vm's
// cachedData is for scripts (Node 20 has no code cache for ES modules).
// A cache V8 refuses (another Node, other V8 flags, a changed bundle) is
// only slower: the bundle is compiled from its source as without one.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

/** What the CLI's bundle exports (src/cli/main.ts). */
export interface CliBundle {
  main(argv: string[], launched: unknown): Promise<number>;
}

type Wrapper = (exports: object, require: NodeRequire, module: { exports: object }, filename: string, dirname: string,
  importMetaUrl: string) => void;

/** The bundle's source in Node's module wrapper; import.meta.url is a parameter (scripts/bundle.js defines it so). */
function compile(file: string, cachedData: Buffer | undefined): vm.Script {
  // ASCII (scripts/bundle.js checks): latin1 is read without decoding, and V8 keeps one byte a character.
  const source = readFileSync(file, 'latin1');
  const wrapped = `(function (exports, require, module, __filename, __dirname, __tsvisor_import_meta_url) {${source}\n})`;
  return new vm.Script(wrapped, { filename: file, cachedData });
}

function run(script: vm.Script, file: string): CliBundle {
  const module = { exports: {} };
  const fn = script.runInThisContext() as Wrapper;
  fn(module.exports, createRequire(file), module, file, path.dirname(file), pathToFileURL(file).href);
  return module.exports as CliBundle;
}

/** Runs the bundle at file (absolute), with its code cache if V8 takes it. */
export function loadBundle(file: string): CliBundle {
  let cache: Buffer | undefined;
  try {
    cache = readFileSync(`${file}.cache`);
  } catch {
    // Not built (a build without scripts/bundle.js's last step): compiled from source.
  }
  return run(compile(file, cache), file);
}

/**
 * Writes file's code cache: compiled and its top level run (loading the
 * modules it is made of, which compiles the functions they call), then
 * V8's cache of everything compiled so far.
 */
export function writeCodeCache(file: string): number {
  const script = compile(file, undefined);
  run(script, file);
  const data = script.createCachedData();
  writeFileSync(`${file}.cache`, data);
  return data.length;
}
