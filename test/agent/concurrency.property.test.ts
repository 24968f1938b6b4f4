// Properties of the concurrent scripted agent over random scripts.
import fc from "fast-check";
import { runs } from "../properties/runs.js";
import { pendingTracker } from "./support.js";
import { queueScheduler, Subject } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { createScriptedAgent, type AgentEdit } from "../../src/agent/index.js";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent, OrionModifiedEvent, TaskEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";

const notesOf = (o: TaskOrion | undefined): string[] =>
  o === undefined
    ? []
    : String(o.metadata?.["notes"] ?? "")
        .split(",")
        .filter((s) => s !== "");
const genOf = (o: TaskOrion | undefined): unknown => o?.metadata?.["gen"];
const noting: AgentEdit = (event, o) =>
  o === undefined
    ? undefined
    : {
        ...o,
        metadata: {
          ...o.metadata,
          notes: [...notesOf(o), event.eventId ?? event.taskId].join(","),
        },
      };

type Step =
  | {
      kind: "done";
      dt: number;
      orion: number;
      task: number;
      withId: boolean;
      failed: boolean;
      latency: number;
    }
  | { kind: "end"; dt: number; orion: number }
  | { kind: "start"; dt: number; orion: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("done" as const),
      dt: fc.integer({ min: 0, max: 4 }),
      orion: fc.integer({ min: 0, max: 2 }),
      task: fc.integer({ min: 0, max: 5 }),
      withId: fc.boolean(),
      failed: fc.boolean(),
      latency: fc.integer({ min: 0, max: 12 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("end" as const),
      dt: fc.integer({ min: 0, max: 4 }),
      orion: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("start" as const),
      dt: fc.integer({ min: 0, max: 4 }),
      orion: fc.integer({ min: 0, max: 2 }),
    }),
  },
);

describe("createScriptedAgent, concurrency: properties", () => {
  it("exactly one answer per completion, FIFO starts, at most n in flight, no lost edit, views forgotten, busy$ exact, no timer left", () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(2, 3, Number.POSITIVE_INFINITY, 1e300),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 80 })),
        (steps, concurrency, ids, stopAt) => {
          const m = new TestScheduler(() => undefined);
          m.maxFrames = Number.POSITIVE_INFINITY;
          const scheduler = pendingTracker(m);
          let liveAfterStop = 0;
          const events = new Subject<OrionEvent>();
          const published: OrionEvent[] = [];
          const latencyOf = new Map<TaskEvent, number>();
          const starts: TaskEvent[] = [];
          let inFlight = 0;
          let maxInFlight = 0;
          const agent = createScriptedAgent(
            { events$: events, publish: (e) => published.push(e) },
            {
              scheduler,
              concurrency,
              eventId: ids ? (o, n) => `${o}#${n}` : false,
              latency: ([e]) => {
                starts.push(e!);
                inFlight++;
                maxInFlight = Math.max(maxInFlight, inFlight);
                return latencyOf.get(e!)!;
              },
              edit: noting,
              onError: (error) => {
                throw error;
              },
            },
          );
          const mods: OrionModifiedEvent[] = [];
          const busyTrace: boolean[] = [];
          let outstanding = 0;
          const problems: string[] = [];
          agent.busy$.subscribe((b) => {
            busyTrace.push(b);
            if (b !== outstanding > 0 && !(b === false && stopped)) {
              problems.push(`busy ${String(b)} with ${outstanding} outstanding at ${m.now()}`);
            }
          });
          agent.modifications$.subscribe((e) => {
            mods.push(e);
            inFlight--;
            outstanding--;
          });
          const arrivals: TaskEvent[] = [];
          const gen = new Map<string, number>();
          const ended = new Set<string>();
          let stopped = false;
          let t = 0;
          let n = 0;
          let g = 0;
          for (let o = 0; o < 3; o++) {
            const id = `o${o}`;
            m.schedule(() => {
              gen.set(id, ++g);
              events.next({
                type: "ORION_STARTED",
                orionId: id,
                orion: { ...orion(id).task("a").build(), metadata: { gen: g } },
              });
            }, 0);
          }
          for (const step of steps) {
            t += step.dt;
            const id = `o${step.orion}`;
            if (step.kind === "done") {
              const k = n++;
              const event: TaskEvent = {
                type: step.failed ? "TASK_FAILED" : "TASK_COMPLETED",
                orionId: id,
                taskId: `t${step.task}`,
                ...(step.withId ? { eventId: `e${k}` } : {}),
              };
              latencyOf.set(event, step.latency);
              m.schedule(() => {
                if (stopped) return;
                arrivals.push(event);
                outstanding++;
                events.next(event);
              }, t);
            } else if (step.kind === "end") {
              m.schedule(() => {
                ended.add(id);
                gen.delete(id);
                events.next({ type: "ORION_COMPLETED", orionId: id });
              }, t);
            } else {
              m.schedule(() => {
                ended.delete(id);
                gen.set(id, ++g);
                events.next({
                  type: "ORION_STARTED",
                  orionId: id,
                  orion: { ...orion(id).task("a").build(), metadata: { gen: g } },
                });
              }, t);
            }
          }
          // Per orion, the edits (notes) of each answer published so far, and the gen at publish.
          const check = (e: OrionModifiedEvent): void => {
            if (e.newOrion === undefined) return;
            if (ended.has(e.orionId)) problems.push(`newOrion for ended ${e.orionId}`);
            if (genOf(e.newOrion) !== gen.get(e.orionId)) {
              problems.push(
                `newOrion of gen ${String(genOf(e.newOrion))} for ${e.orionId} now at gen ${String(gen.get(e.orionId))}`,
              );
            }
          };
          agent.modifications$.subscribe(check);
          if (stopAt !== null) {
            m.schedule(() => {
              stopped = true;
              agent.stop();
              liveAfterStop = scheduler.live();
            }, stopAt);
          }
          m.flush();
          if (!stopped) {
            // Exactly one answer per completion, naming it.
            expect(mods.length).toBe(arrivals.length);
            mods.forEach((mod) => {
              expect(mod.onTaskIds.length).toBe(1);
            });
            for (const a of arrivals) {
              const naming = mods.filter(
                (mod) =>
                  mod.orionId === a.orionId &&
                  mod.onTaskIds[0] === a.taskId &&
                  (a.eventId === undefined
                    ? mod.onEventIds === undefined
                    : mod.onEventIds?.[0] === a.eventId),
              );
              expect(naming.length).toBeGreaterThanOrEqual(1);
            }
            if (arrivals.every((a) => a.eventId !== undefined)) {
              const named = mods.map((mod) => mod.onEventIds?.[0]).sort();
              expect(named).toEqual(arrivals.map((a) => a.eventId).sort());
            }
            expect(agent.isBusy()).toBe(false);
          }
          // FIFO starts and the limit.
          expect(starts).toEqual(arrivals.slice(0, starts.length));
          expect(maxInFlight).toBeLessThanOrEqual(concurrency);
          // Each newOrion holds every edit published before it for that orion's same gen.
          const seenNotes = new Map<string, Set<string>>();
          for (const mod of mods) {
            if (mod.newOrion === undefined) continue;
            const key = `${mod.orionId}@${String(genOf(mod.newOrion))}`;
            const notes = new Set(notesOf(mod.newOrion));
            for (const prior of seenNotes.get(key) ?? []) {
              if (!notes.has(prior)) problems.push(`lost edit ${prior} in ${key}`);
            }
            seenNotes.set(key, notes);
          }
          // busy$ distinct.
          for (let i = 1; i < busyTrace.length; i++)
            expect(busyTrace[i]).not.toBe(busyTrace[i - 1]);
          expect(problems).toEqual([]);
          expect(scheduler.live()).toBe(0);
          expect(liveAfterStop).toBe(0);
          expect(published.filter((e) => e.type === "ORION_MODIFIED")).toEqual(mods);
          agent.stop();
        },
      ),
      { numRuns: runs(100) },
    );
  });

  it("re-entrant completions with queueScheduler and latency 0: one answer each, edits chained", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2, 3, Number.POSITIVE_INFINITY),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
        (concurrency, fanout) => {
          const bus = createEventBus();
          const agent = createScriptedAgent(bus, {
            eventId: (o, n) => `${o}#${n}`,
            latency: 0,
            edit: noting,
            concurrency,
            scheduler: queueScheduler,
          });
          let k = 0;
          const completions: string[] = [];
          const modsOnBus: OrionModifiedEvent[] = [];
          bus.subscribe({
            onEvent: (e) => {
              if (e.type === "ORION_MODIFIED") {
                const times = fanout[Math.min(modsOnBus.length, fanout.length - 1)]!;
                if (k < 30) {
                  for (let i = 0; i < times; i++) {
                    const id = `c${k++}`;
                    completions.push(id);
                    bus.publish({ type: "TASK_COMPLETED", orionId: "o1", taskId: id, eventId: id });
                  }
                }
              }
            },
          });
          bus.subscribe({
            onEvent: (e) => {
              if (e.type === "ORION_MODIFIED") modsOnBus.push(e);
            },
          });
          const mods: OrionModifiedEvent[] = [];
          agent.modifications$.subscribe((e) => mods.push(e));
          bus.publish({
            type: "ORION_STARTED",
            orionId: "o1",
            orion: orion("o1").task("a").build(),
          });
          completions.push("first");
          bus.publish({ type: "TASK_COMPLETED", orionId: "o1", taskId: "first", eventId: "first" });
          expect(mods.map((e) => e.onEventIds![0]).sort()).toEqual([...completions].sort());
          for (const list of [mods, modsOnBus]) {
            let prior: string[] = [];
            for (const e of list) {
              const notes = notesOf(e.newOrion);
              for (const p of prior) expect(notes).toContain(p);
              prior = notes;
            }
          }
          expect(agent.isBusy()).toBe(false);
          agent.stop();
        },
      ),
      { numRuns: runs(50) },
    );
  });
});
