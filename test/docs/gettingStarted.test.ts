/**
 * docs/getting-started.md, run: each block marked `<!-- run: prints -->` is transpiled, run
 * with Node against the built package (`dist/`, built by vitest's global setup) and prints
 * the `text` block that follows it; `<!-- run: passes -->` blocks are `node:test` files that
 * pass. (test/docs/snippets.test.ts compiles them under --strict.)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const page = readFileSync(join(root, "docs/getting-started.md"), "utf8");
const work = join(root, ".vitest", "getting-started");
mkdirSync(work, { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));

const entry: Readonly<Record<string, string>> = {
  "orion-sync": "dist/src/index.js",
  "orion-sync/operators": "dist/operators/index.js",
  "orion-sync/testing": "dist/testing/index.js",
};

/** The block as Node runs it: types stripped, the package's names pointing at dist/. */
function runnable(code: string): string {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return js.replace(/from "(orion-sync(?:\/\w+)?)"/g, (_, name: string) => {
    const path = entry[name];
    if (path === undefined) throw new Error(`no entry for ${name}`);
    return `from ${JSON.stringify(pathToFileURL(join(root, path)).href)}`;
  });
}

const steps = [
  ...page.matchAll(
    /<!-- run: (prints|passes) -->\n\n```ts\n([\s\S]*?)```(?:\n\nIt prints:\n\n```text\n([\s\S]*?)```)?/g,
  ),
].map(([, kind, code, output], i) => ({ n: i + 1, kind, code: code ?? "", output }));

describe("docs/getting-started.md", () => {
  it("has the three runnable steps", () => {
    expect(steps.map((s) => s.kind)).toEqual(["prints", "passes", "prints"]);
  });

  it.each(steps)("step $n runs as the page says", ({ n, kind, code, output }) => {
    const file = join(work, `step${n}.mjs`);
    writeFileSync(file, runnable(code));
    const run = spawnSync(process.execPath, kind === "passes" ? ["--test", file] : [file], {
      cwd: work,
      encoding: "utf8",
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    if (kind === "prints") {
      expect(run.stdout).toBe(output);
      expect(run.stderr).toBe("");
    } else {
      expect(run.stdout).toMatch(/# pass 2\n/);
      expect(run.stdout).toMatch(/# fail 0\n/);
    }
  });

  it("installs what the steps import", () => {
    expect(page).toContain("npm install orion-sync rxjs");
    expect(page).toContain("@types/node");
  });
});
