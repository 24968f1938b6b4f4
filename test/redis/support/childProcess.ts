/**
 * Runs one of this directory's TypeScript scripts in a child `node` process, without a
 * build: `--import registerTs.mjs` transpiles the sources as they load. The child prints
 * JSON lines on stdout; `next` waits for the first line that matches.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** A running script. */
export interface TsChild {
  readonly process: ChildProcess;
  /** Every JSON line printed so far. */
  readonly lines: readonly Record<string, unknown>[];
  /** The first line (already printed or to come) with `key`; rejects if the child exits first. */
  next(key: string): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal) once the child has exited. */
  readonly exited: Promise<number | string>;
  /** What it printed on stderr. */
  stderr(): string;
}

/** Starts `script` (a file of this directory) with `env` added to this process's. */
export function spawnTs(script: string, env: Record<string, string>): TsChild {
  const child = spawn(process.execPath, ["--import", here("./registerTs.mjs"), here(script)], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let stdout = "";
  let stderr = "";
  let exitedWith: number | string | undefined;
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    let newline: number;
    while ((newline = stdout.indexOf("\n")) >= 0) {
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ text: line });
      }
      for (const wake of waiters.splice(0)) wake();
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      exitedWith = code ?? signal ?? "unknown";
      for (const wake of waiters.splice(0)) wake();
      resolve(exitedWith);
    }),
  );
  return {
    process: child,
    lines,
    exited,
    stderr: () => stderr,
    next: (key) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = lines.find((line) => key in line);
          if (found !== undefined) resolve(found);
          else if (exitedWith !== undefined) {
            reject(
              new Error(`${script} exited (${exitedWith}) before printing ${key}:\n${stderr}`),
            );
          } else waiters.push(check);
        };
        check();
      }),
  };
}
