// Node module hooks that let a child process run this repository's TypeScript sources
// without a build: `node --import ./test/redis/support/registerTs.mjs script.ts`.
// A relative or absolute `./x.js` import that does not exist resolves to `./x.ts`; `.ts`
// files are transpiled one by one with the project's own `typescript` (types are erased,
// not checked: `npm run typecheck` does that). Transpiled files are cached in the system's
// temporary directory, keyed by path, size and modification time, so later processes
// start without loading the compiler.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pid } from "node:process";
import { fileURLToPath } from "node:url";

const cacheDir = join(tmpdir(), "orion-sync-ts-cache");
let compiler;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (/^(\.\.?\/|\/|file:)/.test(specifier) && specifier.endsWith(".js")) {
      return nextResolve(specifier.slice(0, -3) + ".ts", context);
    }
    throw error;
  }
}

async function transpile(path, source) {
  compiler ??= (await import("typescript")).default;
  return compiler.transpileModule(source, {
    fileName: path,
    compilerOptions: {
      module: compiler.ModuleKind.ESNext,
      target: compiler.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      sourceMap: false,
    },
  }).outputText;
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { size, mtimeMs } = await stat(path);
  const key = createHash("sha1").update(`${path}\0${size}\0${mtimeMs}`).digest("hex");
  const cached = join(cacheDir, `${key}.js`);
  let output;
  try {
    output = await readFile(cached, "utf8");
  } catch {
    output = await transpile(path, await readFile(path, "utf8"));
    await mkdir(cacheDir, { recursive: true });
    // Written aside, then renamed: a concurrent process never reads half a file.
    const partial = `${cached}.${pid}.tmp`;
    await writeFile(partial, output);
    await rename(partial, cached);
  }
  return { format: "module", source: output, shortCircuit: true };
}
