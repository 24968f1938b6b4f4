/**
 * Issue 17, item 3: the README's simulate command, run as written in a fresh copy of the
 * repository without `dist/` (the tracked and new files, with this checkout's node_modules).
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const copy = mkdtempSync(join(tmpdir(), "orion-sync-clone-"));

afterAll(() => rmSync(copy, { recursive: true, force: true }));

it("`npm run simulate -- …` from the README works without a prior build", () => {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => f !== "" && existsSync(join(root, f)));
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(root, file), join(copy, file));
  }
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
  expect(existsSync(join(copy, "dist"))).toBe(false);

  const readme = readFileSync(join(root, "README.md"), "utf8");
  const command = /^npm run simulate -- .*$/m.exec(readme)?.[0];
  expect(command).toBeDefined();
  const run = spawnSync("sh", ["-c", command ?? "false"], { cwd: copy, encoding: "utf8" });
  expect(run.stderr).not.toMatch(/not found/);
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^tasks started stale\s+\d+\s+0$/m);
  const timeline = / --timeline (\S+)/.exec(command ?? "")?.[1];
  if (timeline !== undefined) expect(existsSync(join(copy, timeline))).toBe(true);
}, 180_000);
