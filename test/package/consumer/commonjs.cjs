/* global console, process, require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS consumer requires */
/**
 * A CommonJS consumer of the packed orion-sync, run by test/package/pack.test.ts inside a
 * fresh project. orion-sync is ESM only: CommonJS loads it with `await import()`, which
 * works on every Node version the package supports. `require()` of an ES module works
 * only where Node has require(esm) (20.19+, 22.12+): the script reports what it did, and
 * the test checks it against `process.features.require_module`.
 */
"use strict";

async function run() {
  const main = await import("orion-sync");
  const operators = await import("orion-sync/operators");
  let required;
  try {
    const viaRequire = require("orion-sync");
    required = { loaded: true, sameModule: viaRequire.gateReadyTasks === main.gateReadyTasks };
  } catch (error) {
    required = { loaded: false, code: error.code };
  }
  const manifest = require("orion-sync/package.json");
  console.log(
    JSON.stringify({
      imported: {
        gateReadyTasks: typeof main.gateReadyTasks,
        pendingModifications: typeof operators.pendingModifications,
        sameOperator: main.gateReadyTasks === operators.gateReadyTasks,
      },
      required,
      requireModule: process.features.require_module === true,
      manifest: { name: manifest.name, type: manifest.type },
    }),
  );
}

run().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
