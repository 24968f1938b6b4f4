/**
 * A real `redis-server` for one test file: on a free loopback port, without persistence
 * unless asked, stopped (and its directory removed) by `stop()`. No mocks of Redis.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { freePort } from "../../../bench/freePort.js";

/** The binary: `$REDIS_SERVER`, or `redis-server` on the PATH (Debian's package in CI). */
const binary = process.env["REDIS_SERVER"] ?? "redis-server";

/** A running server. */
export interface RedisServer {
  readonly port: number;
  /** Its working directory (where the append-only file lives, when persistent). */
  readonly dir: string;
  /**
   * Stops it and waits for the exit: gracefully by default (SIGTERM: a persistent server
   * flushes its log), or with `SIGKILL`, a crash (with `appendfsync always`, nothing a client
   * was told is written is lost).
   */
  stopServer(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory (after `stopServer`). */
  startServer(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/** Throws a clear error (not a skip) when `redis-server` is missing. */
function checkBinary(): void {
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `The Redis integration tests need a redis-server binary (${binary}): ${probe.error?.message ?? probe.stderr}. ` +
        "Install Debian's redis-server package (.ci/run does when it is missing), or set REDIS_SERVER.",
    );
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    let reply = "";
    socket.once("error", () => resolve(false));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) {
        socket.destroy();
        resolve(reply.startsWith("+PONG"));
      }
    });
    socket.once("connect", () => socket.write("PING\r\n"));
  });
}

/**
 * Waits until OUR child says it is ready (another test file's server may have taken the
 * port first: a PONG alone could come from it), it is still alive, and the port answers.
 */
async function waitUntilUp(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited with ${child.exitCode ?? child.signalCode}:\n${log()}`);
    }
    if (log().includes("Ready to accept connections") && (await ping(port))) {
      if (child.exitCode === null && child.signalCode === null) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server did not get ready on port ${port}:\n${log()}`);
}

/** Starts a server; `persistent` keeps an fsynced append-only file so a restart keeps the data. */
export async function startRedisServer(
  options: { persistent?: boolean } = {},
): Promise<RedisServer> {
  checkBinary();
  let port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "orion-sync-redis-"));
  const args = (): string[] => [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--daemonize",
    "no",
    ...(options.persistent
      ? ["--appendonly", "yes", "--appendfsync", "always"]
      : ["--appendonly", "no"]),
  ];
  let child: ChildProcess | undefined;
  let output = "";
  const startServer = async (): Promise<void> => {
    output = "";
    const started = spawn(binary, args(), { stdio: ["ignore", "pipe", "pipe"] });
    started.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child = started;
    await waitUntilUp(port, started, () => output);
  };
  const stopServer = async (signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill(signal);
    });
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await startServer();
      break;
    } catch (error) {
      // Someone took the free port before the server bound it: another one.
      if (attempt >= 5 || !String(error).includes("Address already in use")) throw error;
      port = await freePort();
    }
  }
  return {
    port,
    dir,
    startServer,
    stopServer,
    stop: async () => {
      await stopServer();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a server and a client for the calling test file's tests (`beforeAll`), hands both
 * to `ready`, and stops them after the file (`afterAll`).
 */
export function useRedisServer(ready: (server: RedisServer, redis: Redis) => void): void {
  let server: RedisServer | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis({ port: server.port, host: "127.0.0.1" });
    ready(server, redis);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });
}
