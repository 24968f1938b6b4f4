/**
 * Vitest global setup: builds `dist/` once, before any test file runs, when it is missing or
 * older than the sources. The CLI tests run the built `orion-sync` command in child
 * processes; building here (not in each file's `beforeAll`) means two test files running in
 * parallel never write `dist/` at the same time. CI builds before testing, so there this
 * only checks the dates.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const built = join(root, "dist/src/cli/main.js");
const sources = ["src", "operators", "testing", "redis"];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Builds `dist/` if it is stale. */
export default function buildOnce(): void {
  const newest = Math.max(
    statSync(join(root, "package.json")).mtimeMs,
    ...sources.map((dir) => newestMtime(join(root, dir))),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  const build = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], {
    cwd: root,
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
}
