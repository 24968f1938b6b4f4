/**
 * orion-sync/otel against the SDK's in-memory exporter and a collecting metric reader, in
 * virtual time: exact spans (names, times, parents, links, attributes) for scripted
 * orions, and metrics that add up with `getStatistics()`.
 */
import { SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { map, shareReplay, Subject, timer } from "rxjs";
import { describe, expect, it } from "vitest";
import {
  instrumentState,
  instrumentSynchronizer,
  instrumentWorker,
  traceGate,
  traceOrchestration,
} from "../../otel/index.js";
import { gateReadyTasks } from "../../operators/gateReadyTasks.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent } from "../../src/events.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import type { OrchestrationProgress, OrchestrationResult } from "../../src/orchestrator/types.js";
import { orion } from "../../src/orion/orion.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { createTestAgent, virtualTime } from "../../testing/index.js";
import { ms, testSdk, total } from "./support.js";

/** A span as the tests compare it: times in virtual ms, parent and links by span name. */
function describeSpan(
  span: ReadableSpan,
  all: readonly ReadableSpan[],
  parentNames: Map<string, string>,
) {
  const nameOf = (spanId: string | undefined): string | undefined => {
    if (spanId === undefined) return undefined;
    const found = all.find((s) => s.spanContext().spanId === spanId);
    return found === undefined ? parentNames.get(spanId) : label(found);
  };
  return {
    name: label(span),
    start: ms(span.startTime),
    end: ms(span.endTime),
    parent: nameOf(span.parentSpanContext?.spanId),
    links: span.links.map((l) => nameOf(l.context.spanId)),
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, at: ms(e.time), attributes: e.attributes })),
    status: span.status,
  };
}

/** A readable name: the span name and its task id, if any. */
function label(span: ReadableSpan): string {
  const task = span.attributes["orion_sync.task.id"];
  const orionId = span.attributes["orion_sync.orion.id"];
  return [span.name, orionId, task].filter((x) => x !== undefined).join(" ");
}

describe("instrumentSynchronizer", () => {
  it("records one span per modification, from registration to answer, timeout or clear", async () => {
    const { scheduler, advance } = virtualTime();
    const sdk = testSdk(scheduler);
    const sync = new OrionModificationSynchronizer({ scheduler, modificationTimeout: 1000 });
    const detach = instrumentSynchronizer(sync, sdk.telemetry);
    const send = (event: object): void => sync.onEvent(event as OrionEvent);

    advance(10);
    send({ type: "TASK_COMPLETED", orionId: "o1", taskId: "a", eventId: "e1" });
    advance(20); // 30
    send({
      type: "ORION_MODIFIED",
      orionId: "o1",
      onTaskIds: ["a"],
      onEventIds: ["e1"],
      eventId: "m1",
    });
    send({ type: "TASK_COMPLETED", orionId: "o1", taskId: "a", eventId: "e1" }); // redelivered
    advance(10); // 40
    send({ type: "TASK_COMPLETED", orionId: "o1", taskId: "b", eventId: "e2" });
    advance(1000); // 1040: b timed out
    send({ type: "TASK_FAILED", orionId: "o1", taskId: "c", eventId: "e3" });
    advance(20); // 1060
    sync.clearPendingModifications();
    advance(10); // 1070
    send({ type: "ORION_MODIFIED", orionId: "o1", onTaskIds: ["b"], eventId: "m2" }); // late
    send({ type: "NOT_AN_EVENT" }); // invalid
    send({ type: "TASK_COMPLETED", orionId: "o2", taskId: "x", eventId: "x1" });
    advance(30); // 1100
    send({ type: "ORION_MODIFIED", orionId: "o2", onTaskIds: ["x"], eventId: "m3" });
    send({ type: "ORION_MODIFIED", orionId: "o2", onTaskIds: ["y"], onEventIds: ["y1"] });
    advance(10); // 1110: answered before it arrived
    send({ type: "TASK_COMPLETED", orionId: "o2", taskId: "y", eventId: "y1" });

    const spans = sdk.spans();
    const parents = new Map([...sdk.parents].map(([id, p]) => [p.spanId, `run ${id}`]));
    const answer = (at: number, attributes: Record<string, unknown>) => ({
      name: "orion_sync.answer",
      at,
      attributes,
    });
    expect(spans.map((s) => describeSpan(s, spans, parents))).toEqual([
      {
        name: "orion_sync.modification o1 a",
        start: 10,
        end: 30,
        parent: "run o1",
        links: [],
        attributes: {
          "orion_sync.orion.id": "o1",
          "orion_sync.task.id": "a",
          "orion_sync.event.id": "e1",
          "orion_sync.modification.cause": "TASK_COMPLETED",
          "orion_sync.modification.seq": 1,
          "orion_sync.modification.outcome": "completed",
        },
        events: [
          answer(30, {
            "orion_sync.answer.trigger": "ORION_MODIFIED",
            "orion_sync.answer.event.id": "m1",
            "orion_sync.answer.orion_updated": false,
          }),
        ],
        status: { code: SpanStatusCode.UNSET },
      },
      {
        name: "orion_sync.modification o1 b",
        start: 40,
        end: 1040,
        parent: "run o1",
        links: [],
        attributes: {
          "orion_sync.orion.id": "o1",
          "orion_sync.task.id": "b",
          "orion_sync.event.id": "e2",
          "orion_sync.modification.cause": "TASK_COMPLETED",
          "orion_sync.modification.seq": 2,
          "orion_sync.modification.outcome": "timed_out",
        },
        events: [],
        status: { code: SpanStatusCode.ERROR, message: "timed out after 1000 ms" },
      },
      {
        name: "orion_sync.modification o1 c",
        start: 1040,
        end: 1060,
        parent: "run o1",
        links: [],
        attributes: {
          "orion_sync.orion.id": "o1",
          "orion_sync.task.id": "c",
          "orion_sync.event.id": "e3",
          "orion_sync.modification.cause": "TASK_FAILED",
          "orion_sync.modification.seq": 3,
          "orion_sync.modification.outcome": "cleared",
        },
        events: [],
        status: { code: SpanStatusCode.UNSET },
      },
      {
        name: "orion_sync.modification o2 x",
        start: 1070,
        end: 1100,
        parent: "run o2",
        links: [],
        attributes: {
          "orion_sync.orion.id": "o2",
          "orion_sync.task.id": "x",
          "orion_sync.event.id": "x1",
          "orion_sync.modification.cause": "TASK_COMPLETED",
          "orion_sync.modification.seq": 4,
          "orion_sync.modification.outcome": "completed",
        },
        events: [
          answer(1100, {
            "orion_sync.answer.trigger": "ORION_MODIFIED",
            "orion_sync.answer.event.id": "m3",
            "orion_sync.answer.orion_updated": false,
          }),
        ],
        status: { code: SpanStatusCode.UNSET },
      },
      {
        name: "orion_sync.modification o2 y",
        start: 1110,
        end: 1110,
        parent: "run o2",
        links: [],
        attributes: {
          "orion_sync.orion.id": "o2",
          "orion_sync.task.id": "y",
          "orion_sync.event.id": "y1",
          "orion_sync.modification.cause": "TASK_COMPLETED",
          "orion_sync.modification.seq": 5,
          "orion_sync.modification.answered_early": true,
          "orion_sync.modification.outcome": "completed",
        },
        events: [
          answer(1110, {
            "orion_sync.answer.trigger": "TASK_COMPLETED",
            "orion_sync.answer.orion_updated": false,
          }),
        ],
        status: { code: SpanStatusCode.UNSET },
      },
    ]);

    // The metrics add up with the synchronizer's own statistics.
    const stats = sync.getStatistics();
    const m = await sdk.metrics();
    expect({
      registered: total(m["orion_sync.modification.registered"]),
      completed: total(m["orion_sync.modification.completed"]),
      timeouts: total(m["orion_sync.modification.timeouts"]),
      clears: total(m["orion_sync.modification.clears"]),
      late: total(m["orion_sync.answer.late"]),
      duplicates: total(m["orion_sync.event.duplicates"]),
      invalid: total(m["orion_sync.event.invalid"]),
      pending: total(m["orion_sync.modification.pending"]),
      durations: total(m["orion_sync.modification.duration"]),
    }).toEqual({
      registered: stats.totalModifications,
      completed: stats.completedModifications,
      timeouts: stats.timeoutModifications,
      clears: stats.clearedModifications,
      late: stats.lateModifications,
      duplicates: stats.duplicateEvents,
      invalid: stats.invalidEvents,
      pending: sync.getPendingCount(),
      durations: stats.totalModifications - sync.getPendingCount(),
    });
    expect(stats).toMatchObject({
      totalModifications: 5,
      timeoutModifications: 1,
      clearedModifications: 1,
      lateModifications: 1,
      duplicateEvents: 1,
      invalidEvents: 1,
    });
    // Per orion, with durations in seconds.
    expect(total(m["orion_sync.modification.registered"], "o2")).toBe(2);
    const timedOut = m["orion_sync.modification.duration"]?.find(
      (p) => p.attributes["orion_sync.modification.outcome"] === "timed_out",
    );
    expect(timedOut?.value).toEqual({ count: 1, sum: 1 });
    detach.unsubscribe();
    sync.dispose();
  });

  it("gives what is already pending a span from its registration, and ends open spans on detach", async () => {
    const { scheduler, advance } = virtualTime();
    const sdk = testSdk(scheduler);
    const sync = new OrionModificationSynchronizer({ scheduler, modificationTimeout: 1000 });
    advance(5);
    sync.onEvent({ type: "TASK_COMPLETED", orionId: "o1", taskId: "a" });
    advance(10);
    const detach = instrumentSynchronizer(sync, sdk.telemetry);
    sync.onEvent({ type: "TASK_COMPLETED", orionId: "o1", taskId: "b" });
    advance(10);
    sync.onEvent({ type: "ORION_MODIFIED", orionId: "o1", onTaskIds: ["a"] });
    expect((await sdk.metrics())["orion_sync.modification.pending"]?.[0]?.value).toBe(1);
    advance(10);
    detach.unsubscribe();
    const spans = sdk
      .spans()
      .map((s) => [
        s.attributes["orion_sync.task.id"],
        ms(s.startTime),
        ms(s.endTime),
        s.attributes["orion_sync.modification.outcome"],
      ]);
    expect(spans).toEqual([
      ["a", 5, 25, "completed"],
      ["b", 15, 25, "unobserved"],
    ]);
    expect((await sdk.metrics())["orion_sync.modification.pending"]?.[0]?.value).toBe(0);
    sync.dispose();
  });
});

describe("traceOrchestration", () => {
  it("traces a gated orion run as one trace: run, tasks, modifications and holds, linked", async () => {
    const { scheduler } = virtualTime();
    const sdk = testSdk(scheduler);
    const bus = createEventBus();
    const sync = new OrionModificationSynchronizer({ scheduler });
    bus.subscribe(sync);
    const detach = instrumentSynchronizer(sync, sdk.telemetry);
    createTestAgent(bus, { scheduler, latency: 50, latencies: { b: 30 } });
    const plan = orion("etl").task("a").task("b", { after: "a" }).task("c", { after: "a" }).build();
    let result: OrchestrationResult | undefined;
    orchestrateOrion(plan, {
      bus,
      synchronizer: sync,
      scheduler,
      runId: "r",
      executeTask: (task) => timer(task.id === "c" ? 200 : 100, scheduler).pipe(map(() => null)),
    })
      .pipe(traceOrchestration(sdk.telemetry))
      .subscribe((p: OrchestrationProgress) => {
        if (p.kind === "finished") result = p.result;
      });
    scheduler.flush();

    const spans = sdk.spans();
    const parents = new Map([...sdk.parents].map(([id, p]) => [p.spanId, `run ${id}`]));
    const brief = spans.map((s) => {
      const d = describeSpan(s, spans, parents);
      return [d.name, d.start, d.end, d.parent, d.links];
    });
    // a runs 0-100; the agent answers it at 150 (b and c held 50 ms); b ends at 250 and is
    // answered at 280, while c (ends 350) still runs; c is answered at 400.
    expect(brief).toEqual([
      ["orion_sync.task etl a", 0, 100, "orion_sync.orchestration etl", []],
      [
        "orion_sync.modification etl a",
        100,
        150,
        "orion_sync.orchestration etl",
        ["orion_sync.task etl a"],
      ],
      [
        "orion_sync.gate.hold etl",
        100,
        150,
        "orion_sync.orchestration etl",
        ["orion_sync.modification etl a"],
      ],
      [
        "orion_sync.task etl b",
        150,
        250,
        "orion_sync.orchestration etl",
        ["orion_sync.gate.hold etl"],
      ],
      [
        "orion_sync.modification etl b",
        250,
        280,
        "orion_sync.orchestration etl",
        ["orion_sync.task etl b"],
      ],
      [
        "orion_sync.gate.hold etl",
        250,
        280,
        "orion_sync.orchestration etl",
        ["orion_sync.modification etl b"],
      ],
      [
        "orion_sync.task etl c",
        150,
        350,
        "orion_sync.orchestration etl",
        ["orion_sync.gate.hold etl"],
      ],
      [
        "orion_sync.modification etl c",
        350,
        400,
        "orion_sync.orchestration etl",
        ["orion_sync.task etl c"],
      ],
      [
        "orion_sync.gate.hold etl",
        350,
        400,
        "orion_sync.orchestration etl",
        ["orion_sync.modification etl c"],
      ],
      ["orion_sync.orchestration etl", 0, 400, "run etl", []],
    ]);
    const byName = (name: string) => spans.filter((s) => label(s) === name);
    expect(byName("orion_sync.task etl b")[0]?.attributes).toEqual({
      "orion_sync.orion.id": "etl",
      "orion_sync.task.id": "b",
      "orion_sync.event.id": "r:4",
      "orion_sync.task.held_ms": 50,
      "orion_sync.task.status": "completed",
    });
    expect(byName("orion_sync.gate.hold etl")[0]?.attributes).toEqual({
      "orion_sync.orion.id": "etl",
      "orion_sync.gate.values_held": 1,
      "orion_sync.gate.modifications": 1,
    });
    expect(byName("orion_sync.orchestration etl")[0]?.attributes).toEqual({
      "orion_sync.orion.id": "etl",
      "orion_sync.orchestration.outcome": "completed",
      "orion_sync.orchestration.held_ms": 130,
    });
    // The holds add up to what the orchestrator measured.
    const held = byName("orion_sync.gate.hold etl").reduce(
      (sum, s) => sum + ms(s.endTime) - ms(s.startTime),
      0,
    );
    expect(held).toBe(result?.heldMs);
    const m = await sdk.metrics();
    expect(m["orion_sync.gate.hold.duration"]?.[0]?.value).toEqual({ count: 3, sum: 0.13 });
    // All in the caller's trace.
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    detach.unsubscribe();
    sync.dispose();
  });

  it("ends the run span as cancelled when unsubscribed, and records nothing for an ungated run's gate", () => {
    const { scheduler, advance } = virtualTime();
    const sdk = testSdk(scheduler);
    const bus = createEventBus();
    const sync = new OrionModificationSynchronizer({ scheduler });
    bus.subscribe(sync);
    instrumentSynchronizer(sync, sdk.telemetry);
    createTestAgent(bus, { scheduler, latency: 50 });
    const plan = orion("o").task("a").task("b", { after: "a" }).build();
    const subscription = orchestrateOrion(plan, {
      bus,
      synchronizer: sync,
      gate: false,
      scheduler,
      executeTask: () => timer(100, scheduler),
    })
      .pipe(traceOrchestration(sdk.telemetry, { gate: false }))
      .subscribe();
    advance(120);
    subscription.unsubscribe();
    const names = sdk
      .spans()
      .map((s) => [
        label(s),
        ms(s.endTime),
        s.attributes["orion_sync.task.status"] ?? s.attributes["orion_sync.orchestration.outcome"],
      ]);
    expect(names).toEqual([
      ["orion_sync.task o a", 100, "completed"],
      ["orion_sync.task o b", 120, "cancelled"],
      ["orion_sync.orchestration o", 120, "cancelled"],
    ]);
    sync.dispose();
  });
});

describe("traceGate", () => {
  it("records a hold per closed period of a gate, with the values held and links to what it waited for", () => {
    const { scheduler, advance } = virtualTime();
    const sdk = testSdk(scheduler);
    const events = new Subject<OrionEvent>();
    const state$ = events.pipe(
      pendingModifications({ scheduler }),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
    const detach = instrumentState(state$, sdk.telemetry);
    const ready = new Subject<string>();
    const out: string[] = [];
    const gate = gateReadyTasks<string>(state$, { orionId: "o1", scheduler });
    const subscription = ready
      .pipe(traceGate(gate, sdk.telemetry, { orionId: "o1" }))
      .subscribe((v) => out.push(v));
    advance(10);
    ready.next("x"); // nothing pending: passes, no hold
    events.next({ type: "TASK_COMPLETED", orionId: "o1", taskId: "a" });
    advance(10); // 20
    ready.next("y");
    advance(5); // 25
    ready.next("z");
    events.next({ type: "TASK_COMPLETED", orionId: "o1", taskId: "b" }); // during the hold
    advance(5); // 30
    events.next({ type: "ORION_MODIFIED", orionId: "o1", onTaskIds: ["a"] });
    advance(10); // 40
    events.next({ type: "ORION_MODIFIED", orionId: "o1", onTaskIds: ["b"] });
    expect(out).toEqual(["x", "z"]);
    const spans = sdk.spans();
    const parents = new Map([...sdk.parents].map(([id, p]) => [p.spanId, `run ${id}`]));
    const hold = spans.find((s) => s.name === "orion_sync.gate.hold");
    expect(hold && describeSpan(hold, spans, parents)).toEqual({
      name: "orion_sync.gate.hold o1",
      start: 20,
      end: 40,
      parent: "run o1",
      links: ["orion_sync.modification o1 a", "orion_sync.modification o1 b"],
      attributes: {
        "orion_sync.orion.id": "o1",
        "orion_sync.gate.values_held": 2,
        "orion_sync.gate.modifications": 2,
      },
      events: [],
      status: { code: SpanStatusCode.UNSET },
    });
    subscription.unsubscribe();
    detach.unsubscribe();
  });
});

describe("instrumentWorker", () => {
  it("chains the worker's onProgress and traces its orchestration", () => {
    const seen: string[] = [];
    const options = instrumentWorker(
      {
        orionId: "o",
        executeTask: () => null,
        onProgress: (p) => seen.push(p.kind),
      },
      {},
    );
    options.onProgress?.({ kind: "finished", at: 0 } as OrchestrationProgress);
    expect(seen).toEqual(["finished"]);
  });

  it("instruments the worker's synchronizer through onSynchronizer, and chains the caller's", () => {
    const { scheduler, advance } = virtualTime();
    const sdk = testSdk(scheduler);
    const given: OrionModificationSynchronizer[] = [];
    const options = instrumentWorker(
      { orionId: "o", executeTask: () => null, onSynchronizer: (s) => void given.push(s) },
      sdk.telemetry,
    );
    const sync = new OrionModificationSynchronizer({ scheduler });
    options.onSynchronizer?.(sync);
    expect(given).toEqual([sync]);
    sync.onEvent({ type: "TASK_COMPLETED", orionId: "o", taskId: "a", eventId: "e1" });
    advance(5);
    sync.onEvent({ type: "ORION_MODIFIED", orionId: "o", onTaskIds: ["a"], eventId: "m1" });
    const spans = sdk.spans().filter((s) => s.name === "orion_sync.modification");
    expect(spans.map((s) => s.attributes["orion_sync.task.id"])).toEqual(["a"]);
    sync.dispose();
  });
});
