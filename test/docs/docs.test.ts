/**
 * The guides do not rot: the recipes' code blocks are their example files (with the package
 * name for the relative import), and every relative link of a guide points to a file.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const read = (path: string): string => readFileSync(join(root, path), "utf8");

/** Each `<!-- examples/recipes/x.ts -->` marker and the ts code block that follows it. */
function quotes(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  const marker = /<!-- (examples\/recipes\/[\w.-]+\.ts) -->\s*```ts\n([\s\S]*?)```/g;
  for (const [, path, code] of markdown.matchAll(marker)) found.set(path!, code!);
  return found;
}

/** The file as the guide shows it: imported from the package, formatted as the guide is. */
async function asQuoted(path: string): Promise<string> {
  const code = read(path)
    .replaceAll('"../../src/index.js"', '"orion-sync"')
    .replaceAll('"../../operators/index.js"', '"orion-sync/operators"');
  const options = await resolveConfig(join(root, path));
  return format(code, { ...options, parser: "typescript" });
}

describe("docs/recipes.md", () => {
  const markdown = read("docs/recipes.md");
  const quoted = quotes(markdown);
  const files = readdirSync(join(root, "examples/recipes"))
    .filter((name) => name.endsWith(".ts"))
    .map((name) => `examples/recipes/${name}`);

  it("quotes every recipe file", () => {
    expect([...quoted.keys()].sort()).toEqual(files.sort());
  });

  it.each(files)("quotes %s as it is", async (path) => {
    const expected = await asQuoted(path);
    expect(quoted.get(path), `copy ${path} into docs/recipes.md`).toBe(expected);
  });
});

describe.each([
  "README.md",
  "docs/getting-started.md",
  "docs/testing.md",
  "docs/concepts.md",
  "docs/recipes.md",
  "docs/migrating-from-python.md",
])("%s", (doc) => {
  it("links only to files that exist", () => {
    const links = [...read(doc).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map(([, target]) => target!)
      .filter((target) => !/^[a-z]+:/.test(target));
    const missing = links.filter((target) => !existsSync(resolve(root, dirname(doc), target)));
    expect(missing).toEqual([]);
  });
});
