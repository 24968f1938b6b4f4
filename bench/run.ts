/**
 * Runs every benchmark, writes `docs/performance.md` and prints it:
 * `npm run bench` (`node --expose-gc dist/bench/run.js` after the build).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchFold } from "./fold.js";
import { leakSection } from "./leaks.js";
import { benchMerge } from "./merge.js";
import { benchOrchestrator } from "./orchestrator.js";
import { benchOrionRun } from "./orionRun.js";
import { benchOtel } from "./otel.js";
import { redisSection } from "./redis.js";
import { redisFencingSection } from "./redisFencing.js";
import { benchScopes } from "./scopes.js";

/** The repository root: this file runs from `dist/bench/`. */
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

const sections: string[] = [
  await benchFold(),
  await benchMerge(),
  await benchOrchestrator(),
  await benchScopes(),
  await benchOrionRun(),
  await benchOtel(),
  await leakSection(),
  await redisSection(),
  await redisFencingSection(),
];

const cpu = cpus();
const method =
  "Every section runs in the same node process, one after the other, and reports medians " +
  "over repeated runs after warm-up runs (each section states its own counts). Where " +
  "configurations are compared, they run interleaved, round after round, each run on a " +
  "fresh instance (after a full garbage collection, except where a section says why not), " +
  "so drift of the machine affects them alike and their ratios are stable. " +
  `Machine: ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${cpu.length} cores, ` +
  `node ${process.version}` +
  (globalThis.gc === undefined ? " (without `--expose-gc`)" : " with `--expose-gc`") +
  `; ${new Date().toISOString().slice(0, 10)}. Reproduce with \`npm run bench\` (but see the ` +
  "end of this paragraph). To tell " +
  "whether a change made the orchestration do less work, which these times on a shared machine " +
  "cannot resolve below some 20%, `npm run bench:instructions -- <revision> <revision>` counts " +
  "the instructions per task of both under valgrind (`bench/instructions.ts`), repeatable to " +
  "about 0.5%. On this machine, for a few minutes after `tsc` (the build `npm run bench` " +
  "starts with), the fold and the synced orchestration ran 2–3 times slower while the floors " +
  "kept their speed, in every one of four tries, and a bench run then was off by that much: " +
  "these figures were taken a few minutes after the build (`npm run build`, a pause, then " +
  "`npm run bench:built`, which runs the same without building).";

const document = ["# Performance", "", method, "", ...sections].join("\n").trimEnd() + "\n";
const path = join(root, "docs", "performance.md");
await mkdir(dirname(path), { recursive: true });
await writeFile(path, document);
console.log(document);
