#!/usr/bin/env node
/** The `orion-sync` executable: `orion-sync demo`, `orion-sync simulate <file.json>`. */
import { main } from "./run.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
