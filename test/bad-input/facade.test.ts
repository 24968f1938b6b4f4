/**
 * Bad input into the facade (`OrionModificationSynchronizer`) and its bus: invalid values,
 * throwing subscribers and loggers, failing streams, use after dispose. In each, `x` was
 * pending before and is still pending and answerable after. Rows F1-F8 of docs/bad-input.md.
 */
import { Subject, throwError } from "rxjs";
import { describe, expect, it } from "vitest";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { startTask } from "../../src/orion/startTask.js";
import { orionModified, orionStarted, taskCompleted } from "../../testing/index.js";
import { expectFacadeIntact, facadeHarness } from "./support.js";

describe("facade: bad events", () => {
  it("F1 an invalid value through onEvent: logged as a warning and counted", () => {
    const h = facadeHarness();
    h.sync.onEvent({
      type: "ORION_MODIFIED",
      orionId: "o1",
      onTaskIds: "x",
    } as unknown as OrionEvent);
    expect(h.logs.warn).toEqual([
      'Ignored an invalid event: invalid orion event: onTaskIds: expected an array of task ids, got "x"',
    ]);
    expect(h.sync.getStatistics().invalidEvents).toBe(1);
    expectFacadeIntact(h);
  });

  it("F2 a bus subscriber throws inside onEvent: reported, later subscribers still get it", () => {
    const h = facadeHarness();
    const seen: string[] = [];
    h.bus.subscribe({
      onEvent: () => {
        throw new Error("subscriber");
      },
    });
    h.bus.subscribe({ onEvent: (e) => void seen.push(e.type) });
    h.bus.publish(taskCompleted("y"));
    expect(h.subscriberErrors).toEqual([new Error("subscriber")]);
    expect(seen).toEqual(["TASK_COMPLETED"]);
    expectFacadeIntact(h, ["y"]);
  });

  it("F3 a logger that throws: the state still advances, nothing is thrown", () => {
    const boom = (): never => {
      throw new Error("logger");
    };
    const h = facadeHarness({ debug: boom, info: boom, warn: boom, error: boom });
    h.sync.onEvent(null as unknown as OrionEvent); // warn
    h.bus.publish(taskCompleted("y")); // debug
    expect(h.sync.getStatistics()).toMatchObject({ invalidEvents: 1, totalModifications: 2 });
    expectFacadeIntact(h, ["y"]);
  });

  it("F3b a logger whose error() throws: merges and failed streams still work", () => {
    const boom = (): never => {
      throw new Error("logger");
    };
    const h = facadeHarness({ debug: boom, info: boom, warn: boom, error: boom });
    // A merge refusing the agent's orion logs an error: the orchestrator's orion still wins.
    const ours = orion("o1").task("a").task("b", { after: "a" }).build();
    h.bus.publish(orionStarted(ours));
    const cyclic = orion("o1").task("a", { after: "b" }).task("b", { after: "a" }).build();
    h.bus.publish(orionModified(["y"], "o1", cyclic));
    expect(() => h.sync.mergeAndSyncOrionStates(ours)).not.toThrow();
    expect(h.sync.getCurrentOrion("o1")).toBe(ours);
    // A failed connection logs an error: it still ends only that connection.
    expect(h.sync.connect(throwError(() => new Error("down"))).closed).toBe(true);
    expectFacadeIntact(h);
  });
});

describe("facade: bad streams and lifecycles", () => {
  it("F4 a connected event stream errors: logged, only that connection ends", () => {
    const h = facadeHarness();
    const failing = new Subject<OrionEvent>();
    const connection = h.sync.connect(failing);
    failing.next(taskCompleted("y"));
    failing.error(new Error("broker down"));
    expect(connection.closed).toBe(true);
    expect(h.logs.error).toEqual(["orion-sync: a connected event stream failed"]);
    h.sync.connect(throwError(() => new Error("at once")));
    expect(h.logs.error).toHaveLength(2);
    expectFacadeIntact(h, ["y"]);
  });

  it("F5 events after dispose: ignored, no throw; connect() after dispose throws", () => {
    const h = facadeHarness();
    const before = h.sync.getStatistics();
    h.sync.dispose();
    expect(() => h.bus.publish(taskCompleted("y"))).not.toThrow();
    expect(() => h.sync.onEvent(taskCompleted("z"))).not.toThrow();
    expect(h.sync.getStatistics()).toEqual(before);
    expect(h.sync.getPendingTaskIds()).toEqual(["x"]); // the last state stays readable
    expect(() => h.sync.connect(new Subject<OrionEvent>())).toThrow(
      "OrionModificationSynchronizer: connect() after dispose()",
    );
    expect(h.stateErrors).toEqual([]);
  });

  it("F6 the agent's orion has a cycle: mergeAndSyncOrionStates keeps the orchestrator's", () => {
    const h = facadeHarness();
    const ours = startTask(orion("o1").task("a").task("b", { after: "a" }).build(), "a", 0);
    h.bus.publish(orionStarted(ours));
    const cyclic = orion("o1").task("a", { after: "b" }).task("b", { after: "a" }).build();
    h.bus.publish(orionModified(["x"], "o1", cyclic));
    const { orion: merged, report } = h.sync.mergeAndSyncOrionStatesWithReport(ours);
    expect(merged).toBe(ours);
    expect(report?.error?.message).toContain("dependency cycle");
    expect(h.logs.error[0]).toMatch(/the agent's orion is invalid; keeping the orchestrator's/);
    expect(h.sync.getCurrentOrion("o1")).toBe(ours);
    // x was answered by that event; register it again to check the stream is alive.
    h.bus.publish({ type: "TASK_STARTED", orionId: "o1", taskId: "x" });
    h.bus.publish(taskCompleted("x"));
    expectFacadeIntact(h);
  });

  it("F7 a newOrion whose task is not an object: rejected, the current orion untouched", () => {
    const h = facadeHarness();
    const ours = orion("o1").task("a").build();
    h.bus.publish(orionStarted(ours));
    h.sync.onEvent({
      type: "ORION_MODIFIED",
      orionId: "o1",
      onTaskIds: ["x"],
      newOrion: { id: "o1", state: "created", tasks: { a: 1 }, dependencies: {} },
    } as unknown as OrionEvent);
    expect(h.logs.warn[0]).toContain('newOrion.tasks["a"]: expected an object, got number 1');
    expect(h.sync.getCurrentOrion("o1")).toBe(ours);
    expect(h.sync.mergeAndSyncOrionStates(ours)).toBe(ours);
    expectFacadeIntact(h);
  });

  it("F8 an aborted wait rejects with the signal's reason and leaves the pending set alone", async () => {
    const h = facadeHarness();
    const abort = new AbortController();
    abort.abort(new Error("stop waiting"));
    await expect(h.sync.waitForPendingModifications(500, { signal: abort.signal })).rejects.toThrow(
      "stop waiting",
    );
    expect(h.sync.getStatistics().timeoutModifications).toBe(0);
    expectFacadeIntact(h);
  });
});
