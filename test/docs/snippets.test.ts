/**
 * Every TypeScript block of README.md and docs/*.md compiles under `--strict` (issue 17), against
 * the package's own names: `orion-sync`, `orion-sync/operators`, `/testing` and `/redis` are
 * mapped to the sources in a temporary tsconfig. Each block is its own module.
 *
 * Markers, in an HTML comment right before a block (invisible on GitHub):
 * - `<!-- ts-context ... -->`: code put before the block, for what a fragment assumes
 *   (`declare const orionId: string;`, the imports of an earlier block).
 * - `<!-- needs @types/node -->`: compiled with Node's types; the prose must say so too.
 * - `<!-- not-compiled: reason -->`: not compiled at all. Prefer a context.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(fileURLToPath(new URL("../../", import.meta.url)));

/**
 * Blocks not compiled yet, `file#n` (the n-th TypeScript block of the file) to a reason.
 * Empty: keep it so, and prefer a `ts-context` to an entry here.
 */
const SKIP: Readonly<Record<string, string>> = {};

interface Block {
  readonly id: string;
  readonly doc: string;
  readonly line: number;
  readonly heading: string;
  readonly code: string;
  readonly context: string;
  readonly node: boolean;
  readonly notCompiled?: string;
  /** The prose right before the block (for the `@types/node` check). */
  readonly prose: string;
}

const docs = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
];

/** The ```ts blocks of a markdown file, with the markers before each. */
export function blocks(doc: string, markdown: string): Block[] {
  const lines = markdown.split("\n");
  const found: Block[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, "");
    if (!/^```(ts|typescript)\s*$/.test(line)) {
      if (line.startsWith("```")) {
        // Skip other fenced blocks whole, so their content is not read as markdown.
        for (i++; i < lines.length && !(lines[i] ?? "").startsWith("```"); i++);
      }
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] ?? "").startsWith("```"); i++)
      body.push(lines[i] ?? "");
    // The comments (and blank lines) right before the fence.
    let j = start - 1;
    while (j >= 0 && ((lines[j] ?? "").trim() === "" || /-->\s*$/.test(lines[j] ?? ""))) {
      if (/-->\s*$/.test(lines[j] ?? "")) while (j >= 0 && !(lines[j] ?? "").includes("<!--")) j--;
      j--;
    }
    const comments = lines.slice(j + 1, start).join("\n");
    let proseEnd = j;
    while (
      proseEnd >= 0 &&
      (lines[proseEnd] ?? "").trim() !== "" &&
      !(lines[proseEnd] ?? "").startsWith("```")
    )
      proseEnd--;
    const context = [...comments.matchAll(/<!-- ts-context\n([\s\S]*?)-->/g)]
      .map((m) => m[1])
      .join("\n");
    const notCompiled = /<!-- not-compiled: (.*?) -->/.exec(comments)?.[1];
    found.push({
      id: `${doc}#${found.length + 1}`,
      doc,
      line: start + 2,
      heading,
      code: body.join("\n"),
      context,
      node: comments.includes("<!-- needs @types/node -->"),
      ...(notCompiled === undefined ? {} : { notCompiled }),
      prose: lines.slice(proseEnd + 1, j + 1).join("\n"),
    });
  }
  return found;
}

const all = docs.flatMap((doc) => blocks(doc, readFileSync(join(root, doc), "utf8")));
const work = join(root, ".vitest", "doc-snippets");
const fileOf = (block: Block): string => join(work, `${block.id.replace(/[^\w]+/g, "_")}.ts`);
const diagnostics = new Map<string, string[]>();

/** Compiles `group` in one program; records each block's errors, at their lines in the doc. */
function compile(group: readonly Block[], types: string[]): void {
  if (group.length === 0) return;
  const dir = join(work, types.length === 0 ? "plain" : "node");
  mkdirSync(dir, { recursive: true });
  const src = (path: string): string[] => [join(root, path)];
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: "ES2022",
        lib: ["ES2022"],
        module: "nodenext",
        moduleResolution: "nodenext",
        types,
        skipLibCheck: true,
        noEmit: true,
        paths: {
          "orion-sync": src("src/index.ts"),
          "orion-sync/operators": src("operators/index.ts"),
          "orion-sync/testing": src("testing/index.ts"),
          "orion-sync/redis": src("redis/index.ts"),
          "orion-sync/otel": src("otel/index.ts"),
        },
      },
      files: group.map(fileOf),
    }),
  );
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(dir, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (parsed === undefined) throw new Error("no tsconfig");
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const byFile = new Map(group.map((b) => [resolve(fileOf(b)), b] as const));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const block = d.file === undefined ? undefined : byFile.get(resolve(d.file.fileName));
    if (block === undefined || d.file === undefined) continue;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const offset = block.context === "" ? 0 : block.context.split("\n").length;
    const where =
      line < offset ? "in its ts-context" : `${block.doc}:${block.line + line - offset}`;
    const list = diagnostics.get(block.id) ?? [];
    list.push(`${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
    diagnostics.set(block.id, list);
  }
}

beforeAll(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const compiled = all.filter((b) => b.notCompiled === undefined && SKIP[b.id] === undefined);
  for (const b of compiled) {
    const context = b.context === "" ? "" : `${b.context.replace(/\n$/, "")}\n`;
    writeFileSync(fileOf(b), `${context}${b.code}\nexport {};\n`);
  }
  compile(
    compiled.filter((b) => !b.node),
    [],
  );
  compile(
    compiled.filter((b) => b.node),
    ["node"],
  );
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(docs)("%s", (doc) => {
  const mine = all.filter((b) => b.doc === doc);
  if (mine.length === 0) it.skip("has no TypeScript block", () => undefined);
  for (const block of mine) {
    const name = `${block.id} (line ${block.line}${block.heading === "" ? "" : `, "${block.heading}"`})`;
    const skipped = SKIP[block.id] ?? block.notCompiled;
    if (skipped !== undefined) {
      it.skip(`${name}: not compiled: ${skipped}`, () => undefined);
      continue;
    }
    it(`${name} compiles under --strict`, () => {
      expect(diagnostics.get(block.id) ?? []).toEqual([]);
      if (block.node) expect(block.prose, "say that it needs @types/node").toContain("@types/node");
    });
  }
});

it("the skip-list names blocks that exist", () => {
  const ids = new Set(all.map((b) => b.id));
  expect(Object.keys(SKIP).filter((id) => !ids.has(id))).toEqual([]);
});
