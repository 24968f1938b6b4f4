/**
 * The package as a user gets it. `npm pack` runs on a copy of the repo (its `prepack`
 * builds a clean `dist`), and the tarball is unpacked into a fresh project in the system's
 * temporary directory, next to links to the dependencies its manifest declares, taken from
 * this repo's `node_modules` (no network, no npm cache). Then ESM, CommonJS and TypeScript
 * (`moduleResolution` node16 and bundler) consumers use every subpath, and publint and Are
 * the Types Wrong? lint the tarball.
 *
 * The copy keeps `npm pack` away from the repo's own `dist`, which other tests and
 * `npm run build` use (its `prepack` deletes `dist` first, so that nothing stale ships).
 */
import { spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TYPED_COMMONJS_CONSUMER, typedConsumer } from "./typedConsumer.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name: string): string => join(root, "node_modules", ".bin", name);

/** What a child process did. */
interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** `run`, and fails with everything the command printed unless it exited with 0. */
async function runOk(command: string, args: readonly string[], cwd: string): Promise<string> {
  const r = await run(command, args, cwd);
  if (r.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`,
    );
  }
  return r.stdout;
}

/** Every file under `dir`, as `/`-separated paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : [relative(dir, join(d, e.name))],
    );
  return walk(dir)
    .map((p) => p.split(sep).join("/"))
    .sort();
}

/** The parts of the packed package.json this test reads. */
interface Manifest {
  readonly name: string;
  readonly type?: string;
  readonly sideEffects?: boolean;
  readonly bin?: Readonly<Record<string, string>>;
  readonly exports: Readonly<Record<string, string | Readonly<Record<string, string>>>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
}

/** A JavaScript entry point of the package: its subpath and its `types` and `default`. */
interface Entry {
  readonly subpath: string;
  readonly types: string;
  readonly js: string;
}

/** Top-level names of the repo that are never copied for packing. */
const NOT_COPIED = new Set([".git", "node_modules", "dist", ".vitest", ".ci"]);

let work = "";
let tarball = "";
/** The tarball's files, as npm reported them. */
let packedFiles: string[] = [];
/** The fresh project, with the tarball in `node_modules/orion-sync`. */
let project = "";
let installed = "";
let manifest: Manifest;
let entries: Entry[] = [];
/** The subpath on an optional peer, and that peer. */
const OTEL = "./otel";
const OTEL_PEER = "@opentelemetry/api";
/** What esm.mjs printed for every other subpath, before the peer was installed. */
let withoutOtelPeer: { exportNames: Record<string, string[]> } | undefined;
/** What importing orion-sync/otel without its peer printed on stderr. */
let otelWithoutPeer = "";

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "orion-sync-pack-"));
  const copy = join(work, "repo");
  cpSync(root, copy, {
    recursive: true,
    filter: (source) => {
      const top = relative(root, source).split(sep)[0] ?? "";
      return !NOT_COPIED.has(top) && !source.endsWith(".tgz") && !source.includes("docs/api");
    },
  });
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
  const packOutput = await runOk("npm", ["pack", "--json", "--pack-destination", work], copy);
  const [packed] = JSON.parse(packOutput) as [
    { filename: string; files: { path: string }[] } | undefined,
  ];
  if (packed === undefined) throw new Error(`npm pack printed no package:\n${packOutput}`);
  tarball = join(work, packed.filename);
  packedFiles = packed.files.map((f) => f.path).sort();

  project = join(work, "consumer");
  installed = join(project, "node_modules", "orion-sync");
  mkdirSync(installed, { recursive: true });
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  await runOk("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"], work);
  manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Manifest;
  entries = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
    typeof target === "string"
      ? []
      : [{ subpath, types: target["types"] ?? "", js: target["default"] ?? "" }],
  );

  // What `npm install` would add: the dependencies and the required peers, and no more, so
  // that an import of anything undeclared fails (ioredis, an optional peer, is left out:
  // importing orion-sync/redis must not need it).
  const optional = manifest.peerDependenciesMeta ?? {};
  const needed = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}).filter((p) => optional[p]?.optional !== true),
  ];
  const link = (name: string): void => {
    const target = join(project, "node_modules", name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(root, "node_modules", name), target, "dir");
  };
  for (const name of needed) link(name);
  // Every subpath but orion-sync/otel loads without its optional peer, @opentelemetry/api
  // (the main entry must not import it). Then the peer is installed, as a user of
  // orion-sync/otel does, for the tests below, which use every subpath.
  cpSync(join(root, "test/package/consumer/esm.mjs"), join(project, "esm.mjs"));
  const withoutOtel = entries.map((e) => e.subpath).filter((s) => s !== OTEL);
  withoutOtelPeer = JSON.parse(
    await runOk(process.execPath, [join(project, "esm.mjs"), ...withoutOtel], project),
  ) as { exportNames: Record<string, string[]> };
  const otelImport = await run(
    process.execPath,
    ["--input-type=module", "-e", `await import("orion-sync/otel")`],
    project,
  );
  otelWithoutPeer = otelImport.stderr;
  link(OTEL_PEER);
}, 180_000);

afterAll(() => {
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("holds package.json, README, LICENSE, CHANGELOG and the exported parts of dist, nothing else", () => {
    const files = filesUnder(installed);
    expect(files).toEqual(packedFiles);
    for (const name of ["package.json", "README.md", "LICENSE", "CHANGELOG.md"]) {
      expect(files).toContain(name);
    }
    // The directories of dist that an export or the bin points into.
    const shipped = new Set(
      [...entries.flatMap((e) => [e.types, e.js]), ...Object.values(manifest.bin ?? {})].map(
        (path) => posix.normalize(path).split("/").slice(0, 2).join("/"),
      ),
    );
    expect([...shipped].sort()).toEqual(
      ["dist/operators", "dist/otel", "dist/redis", "dist/src", "dist/testing"].sort(),
    );
    const unexpected = files.filter(
      (f) =>
        !["package.json", "README.md", "LICENSE", "CHANGELOG.md"].includes(f) &&
        !(shipped.has(f.split("/").slice(0, 2).join("/")) && /\.(js|d\.ts)$/.test(f)),
    );
    expect(unexpected).toEqual([]);
    expect(files.filter((f) => /^dist\/(bench|examples|test)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    for (const path of [
      ...entries.flatMap((e) => [e.types, e.js]),
      ...Object.values(manifest.bin ?? {}),
    ]) {
      expect(files, path).toContain(posix.normalize(path));
    }
  });

  it("has no source map comments, and every relative import resolves inside the tarball", () => {
    const files = filesUnder(installed).filter((f) => /\.(js|d\.ts)$/.test(f));
    const present = new Set(files);
    const withMaps: string[] = [];
    const dangling: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(installed, file), "utf8");
      if (text.includes("sourceMappingURL")) withMaps.push(file);
      for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*["'](\.\.?\/[^"']*)["']/g)) {
        const target = posix.join(posix.dirname(file), m[1] ?? "");
        const candidates = file.endsWith(".d.ts")
          ? [target.replace(/\.js$/, ".d.ts"), target]
          : [target];
        if (!candidates.some((c) => present.has(c))) dangling.push(`${file} → ${m[1]}`);
      }
    }
    expect(withMaps).toEqual([]);
    expect(dangling).toEqual([]);
  });

  it("imports @opentelemetry/api only from dist/otel, where it is an optional peer", () => {
    const importers = filesUnder(installed).filter(
      (f) =>
        /\.(js|d\.ts)$/.test(f) && readFileSync(join(installed, f), "utf8").includes(OTEL_PEER),
    );
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((f) => !f.startsWith("dist/otel/"))).toEqual([]);
    expect(manifest.peerDependencies?.[OTEL_PEER]).toMatch(/^\^1\./);
    expect(manifest.peerDependenciesMeta?.[OTEL_PEER]?.optional).toBe(true);
  });

  it("declares an ES module package without side effects, whose bin is a node script", () => {
    expect(manifest.type).toBe("module");
    expect(manifest.sideEffects).toBe(false);
    const bins = Object.values(manifest.bin ?? {});
    expect(bins.length).toBeGreaterThan(0);
    for (const path of bins) {
      expect(readFileSync(join(installed, path), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(
        true,
      );
    }
  });
});

describe("a fresh project with the tarball installed", () => {
  it("loads every subpath but orion-sync/otel without @opentelemetry/api installed", () => {
    const others = entries.map((e) => e.subpath).filter((s) => s !== OTEL);
    expect(Object.keys(withoutOtelPeer?.exportNames ?? {}).sort()).toEqual(others.sort());
    expect(entries.map((e) => e.subpath)).toContain(OTEL);
    // orion-sync/otel itself says what is missing.
    expect(otelWithoutPeer).toContain(OTEL_PEER);
  });

  it("imports every subpath from an ES module and runs a gated pipeline", async () => {
    const script = join(project, "esm.mjs");
    cpSync(join(root, "test/package/consumer/esm.mjs"), script);
    const subpaths = entries.map((e) => e.subpath);
    const out = JSON.parse(await runOk(process.execPath, [script, ...subpaths], project)) as {
      exportNames: Record<string, string[]>;
      operators: string[];
      operatorsInMain: string[];
      steps: Record<string, string[]>;
    };
    expect(out.steps).toEqual({
      beforeCompletion: ["extract"],
      whilePending: ["extract"],
      afterModified: ["extract", "transform"],
    });
    expect(out.operators).toEqual(
      expect.arrayContaining(["gateReadyTasks", "pendingModifications"]),
    );
    expect(out.operatorsInMain).toEqual(out.operators);
    expect(out.exportNames["."]).toEqual(
      expect.arrayContaining(["createEventBus", "OrionModificationSynchronizer"]),
    );
    // Each entry exports at run time what its source exports: the build lost nothing.
    for (const entry of entries) {
      const source = join(root, entry.js.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts"));
      const fromSource = Object.keys((await import(pathToFileURL(source).href)) as object).sort();
      expect(out.exportNames[entry.subpath], entry.subpath).toEqual(fromSource);
      expect(fromSource.length, entry.subpath).toBeGreaterThan(0);
    }
  });

  it("loads from CommonJS with await import(), and with require() where Node can require ESM", async () => {
    const script = join(project, "commonjs.cjs");
    cpSync(join(root, "test/package/consumer/commonjs.cjs"), script);
    const out = JSON.parse(await runOk(process.execPath, [script], project)) as {
      imported: Record<string, unknown>;
      required: { loaded: boolean; sameModule?: boolean; code?: string };
      requireModule: boolean;
      manifest: Record<string, unknown>;
    };
    expect(out.imported).toEqual({
      gateReadyTasks: "function",
      pendingModifications: "function",
      sameOperator: true,
    });
    expect(out.manifest).toEqual({ name: "orion-sync", type: "module" });
    // Node 20.19+ and 22.12+ require() ES modules without a flag; older ones refuse.
    expect(out.requireModule).toBe(process.features.require_module === true);
    expect(out.required).toEqual(
      out.requireModule
        ? { loaded: true, sameModule: true }
        : { loaded: false, code: "ERR_REQUIRE_ESM" },
    );
  });

  it("runs the orion-sync command", async () => {
    for (const path of Object.values(manifest.bin ?? {})) {
      const help = await runOk(process.execPath, [join(installed, path), "--help"], project);
      expect(help).toMatch(/^Usage: orion-sync /);
    }
  });

  it("type-checks every subpath under moduleResolution node16 and bundler, and runs the node16 build", async () => {
    writeFileSync(join(project, "typed.ts"), typedConsumer(entries.map((e) => e.subpath)));
    writeFileSync(join(project, "typed-commonjs.cts"), TYPED_COMMONJS_CONSUMER);
    // Strict, and the package's declarations are checked too (skipLibCheck: false), with no
    // Node types: they must not need them. TypeScript's own lib files are not rechecked.
    const strict = {
      target: "ES2022",
      lib: ["ES2022", "DOM"],
      types: [],
      strict: true,
      skipLibCheck: false,
      skipDefaultLibCheck: true,
    };
    writeFileSync(
      join(project, "tsconfig.node16.json"),
      JSON.stringify({
        compilerOptions: {
          ...strict,
          module: "node16",
          moduleResolution: "node16",
          outDir: "out",
        },
        files: ["typed.ts", "typed-commonjs.cts"],
      }),
    );
    writeFileSync(
      join(project, "tsconfig.bundler.json"),
      JSON.stringify({
        compilerOptions: {
          ...strict,
          module: "esnext",
          moduleResolution: "bundler",
          noEmit: true,
        },
        files: ["typed.ts"],
      }),
    );
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    await Promise.all(
      ["tsconfig.node16.json", "tsconfig.bundler.json"].map((config) =>
        runOk(process.execPath, [tsc, "-p", config], project),
      ),
    );
    const esm = await runOk(process.execPath, [join(project, "out/typed.js")], project);
    expect(JSON.parse(esm)).toEqual({
      whilePending: ["extract"],
      afterModified: ["extract", "transform"],
    });
    const cjs = await runOk(process.execPath, [join(project, "out/typed-commonjs.cjs")], project);
    expect(JSON.parse(cjs)).toEqual({ counts: [0, 1, 0] });
  }, 120_000);
});

describe("package linters on the tarball", () => {
  it("publint --strict finds nothing", async () => {
    const out = await runOk(bin("publint"), ["run", tarball, "--strict"], work);
    expect(out).toMatch(/All good!/);
  });

  it("Are the Types Wrong? (profile esm-only) passes; it ignores only CommonJS and node10", async () => {
    // ESM only by design: CommonJS code uses await import() (see the CommonJS test above),
    // and TypeScript's node10 resolution, deprecated, cannot see subpath exports.
    const r = await run(bin("attw"), [tarball, "--profile", "esm-only", "--format", "json"], work);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const problems = (
      JSON.parse(r.stdout) as {
        analysis: {
          problems: { kind: string; entrypoint: string; resolutionKind: string }[];
        };
      }
    ).analysis.problems;
    const allowed = problems.filter(
      (p) =>
        (p.resolutionKind === "node16-cjs" && p.kind === "CJSResolvesToESM") ||
        (p.resolutionKind === "node10" && p.kind === "NoResolution" && p.entrypoint !== "."),
    );
    expect(problems).toEqual(allowed);
  }, 120_000);
});
