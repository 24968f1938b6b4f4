/**
 * docs/otel.md's TypeScript blocks compile under --strict, with `orion-sync/otel` mapped to
 * its source (the shared docs harness, test/docs/snippets.test.ts, does not map it, so
 * those blocks carry a `not-compiled` marker naming this test). The Node SDK block is the
 * application's code, on packages orion-sync does not depend on: not compiled here either.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, expect, it } from "vitest";

const root = resolve(fileURLToPath(new URL("../../", import.meta.url)));
const THIS_TEST = "test/otel/docs.test.ts";

interface Block {
  readonly line: number;
  readonly code: string;
  readonly context: string;
  readonly marker: string | undefined;
}

/** The ```ts blocks of `markdown`, with the HTML comments right before each. */
function tsBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? "")) {
      if ((lines[i] ?? "").startsWith("```")) {
        for (i++; i < lines.length && !(lines[i] ?? "").startsWith("```"); i++);
      }
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] ?? "").startsWith("```"); i++)
      body.push(lines[i] ?? "");
    let j = start - 1;
    while (j >= 0 && ((lines[j] ?? "").trim() === "" || /-->\s*$/.test(lines[j] ?? ""))) {
      if (/-->\s*$/.test(lines[j] ?? "")) while (j >= 0 && !(lines[j] ?? "").includes("<!--")) j--;
      j--;
    }
    const comments = lines.slice(j + 1, start).join("\n");
    out.push({
      line: start + 2,
      code: body.join("\n"),
      context: [...comments.matchAll(/<!-- ts-context\n([\s\S]*?)-->/g)]
        .map((m) => m[1])
        .join("\n"),
      marker: /<!-- not-compiled: (.*?) -->/.exec(comments)?.[1],
    });
  }
  return out;
}

const work = join(root, ".vitest", "otel-doc-snippets");
afterAll(() => rmSync(work, { recursive: true, force: true }));

it("every TypeScript block of docs/otel.md compiles under --strict, or is the application's SDK setup", () => {
  const blocks = tsBlocks(readFileSync(join(root, "docs/otel.md"), "utf8"));
  const compiled = blocks.filter((b) => b.marker?.includes(THIS_TEST) ?? true);
  const skipped = blocks.filter((b) => !compiled.includes(b));
  expect(skipped.map((b) => b.code.includes("@opentelemetry/sdk-node"))).toEqual([true]);
  expect(compiled.length).toBeGreaterThanOrEqual(2);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const files = compiled.map((b, i) => {
    const file = join(work, `block${i + 1}.ts`);
    writeFileSync(file, `${b.context}\n${b.code}\nexport {};\n`);
    return file;
  });
  const src = (path: string): string[] => [join(root, path)];
  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
    skipLibCheck: true,
    noEmit: true,
    baseUrl: root,
    paths: {
      "orion-sync": src("src/index.ts"),
      "orion-sync/operators": src("operators/index.ts"),
      "orion-sync/otel": src("otel/index.ts"),
    },
  };
  const program = ts.createProgram(files, options);
  const errors = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file !== undefined && files.includes(resolve(d.file.fileName)))
    .map((d) => {
      const index = files.indexOf(resolve(d.file?.fileName ?? ""));
      const block = compiled[index] as Block;
      const { line } = d.file?.getLineAndCharacterOfPosition(d.start ?? 0) ?? { line: 0 };
      const offset = block.context.split("\n").length;
      return `docs/otel.md:${block.line + line - offset}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
    });
  expect(errors).toEqual([]);
}, 60_000);
