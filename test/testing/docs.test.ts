/**
 * Keeps docs/testing.md and the testing/ subpath honest: the doc's complete marble test is
 * the test file it names, and testing/ needs nothing but rxjs (and our own code) at run time.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");

/** The ```ts block right after `<!-- path -->` in the markdown. */
function quotedBlock(markdown: string, path: string): string | undefined {
  const at = markdown.indexOf(`<!-- ${path} -->`);
  if (at < 0) return undefined;
  return /```ts\n([\s\S]*?)```/.exec(markdown.slice(at))?.[1];
}

/** A static import or re-export, with or without bindings: the specifier is group 1. */
const IMPORT = /^\s*(?:import|export)\b(?:[^"';]*?\bfrom)?\s*["']([^"']+)["']/gm;

async function prettier(code: string): Promise<string> {
  const config = await resolveConfig(join(root, "test/testing/x.ts"));
  return format(code, { ...config, parser: "typescript" });
}

describe("docs/testing.md", () => {
  it("quotes test/testing/gatedOrchestrator.test.ts exactly, but for the package names", async () => {
    const path = "test/testing/gatedOrchestrator.test.ts";
    const block = quotedBlock(read("docs/testing.md"), path);
    expect(block, `a \`\`\`ts block after <!-- ${path} -->`).toBeDefined();
    const asTest = (block ?? "")
      .replaceAll('from "orion-sync";', 'from "../../src/index.js";')
      .replaceAll('from "orion-sync/testing";', 'from "../../testing/index.js";');
    // The doc's block is formatted for shorter import paths; compare as formatted code.
    expect(await prettier(asTest)).toBe(await prettier(read(path)));
  });

  it("names every export of orion-sync/testing", () => {
    const doc = read("docs/testing.md");
    const barrel = read("testing/index.ts");
    // The values; the types go with them (options, results).
    const names = [...barrel.matchAll(/^export \{([^}]*)\}/gm)]
      .flatMap((m) => (m[1] ?? "").split(","))
      .map((name) => name.trim())
      .filter((name) => name !== "" && !name.startsWith("type "));
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(doc, name).toContain(`\`${name}\``);
  });
});

describe("the testing/ subpath", () => {
  const files = readdirSync(join(root, "testing"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join("testing", file));

  it("imports only rxjs and our own src/, operators/ and testing/ at run time", () => {
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      for (const [, specifier] of read(file).matchAll(IMPORT)) {
        if (specifier === undefined) continue;
        if (!specifier.startsWith(".")) {
          expect(["rxjs", "rxjs/testing"], `${file} imports ${specifier}`).toContain(specifier);
          continue;
        }
        const target = relative(root, resolve(root, dirname(file), specifier));
        expect(target, `${file} imports ${specifier}`).toMatch(/^(src|operators|testing)\//);
      }
    }
  });

  it("documents every exported function and constant with an example, all in the barrel", () => {
    const barrel = read("testing/index.ts");
    expect(barrel).toMatch(/@packageDocumentation|@module/);
    /** The doc blocks of each exported function (each overload's) and constant, by name. */
    const docs = new Map<string, string[]>();
    for (const file of files) {
      if (file.includes("/internal/") || file.endsWith("index.ts")) continue;
      const EXPORT = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export (?:function|const) (\w+)/g;
      for (const [, doc = "", name = ""] of read(file).matchAll(EXPORT)) {
        docs.set(`${file}: ${name}`, [...(docs.get(`${file}: ${name}`) ?? []), doc]);
      }
    }
    for (const [where, blocks] of docs) {
      const name = where.replace(/^.*: /, "");
      expect(blocks.join("\n"), `${where} has an example`).toContain("@example");
      expect(barrel, `the barrel exports ${name}`).toMatch(new RegExp(`\\b${name}\\b`));
    }
    expect(docs.size).toBeGreaterThan(10);
  });
});
