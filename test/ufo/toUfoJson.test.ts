import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { completeTask, orion, startTask } from "../../src/orion/index.js";
import { fromUfoJson, toUfoJson } from "../../src/ufo/index.js";
import { dagArbitrary } from "../orion/support/arbitraries.js";
import { fixture, fixtureNames } from "./fixtures.js";

describe("toUfoJson", () => {
  it("writes UFO's to_dict form: lower-case enums, integer priorities, ISO times, every field", () => {
    let o = orion("o1", { name: "Plan" })
      .task("a", { priority: 3, deviceType: "linux", params: { q: 1 } })
      .task("b", { after: "a", description: "second" })
      .build();
    o = startTask(o, "a", Date.UTC(2025, 8, 29, 6, 58, 36, 713) + 0.14);
    o = completeTask(
      o,
      "a",
      { success: true, result: { rows: 2 } },
      Date.UTC(2025, 8, 29, 6, 58, 38),
    ).orion;
    const json = JSON.parse(JSON.stringify(toUfoJson(o)));
    expect(json).toEqual({
      constellation_id: "o1",
      name: "Plan",
      state: "executing",
      tasks: {
        a: {
          task_id: "a",
          name: "a",
          description: null,
          tips: null,
          target_device_id: null,
          device_type: "linux",
          priority: 3,
          status: "completed",
          result: { rows: 2 },
          error: null,
          timeout: null,
          retry_count: 0,
          current_retry: 0,
          task_data: { q: 1 },
          expected_output_type: null,
          created_at: null,
          updated_at: null,
          execution_start_time: "2025-09-29T06:58:36.713140+00:00",
          execution_end_time: "2025-09-29T06:58:38+00:00",
          execution_duration: 1.287,
          dependencies: [],
          dependents: ["b"],
        },
        b: expect.objectContaining({
          task_id: "b",
          description: "second",
          priority: 2,
          status: "pending",
          execution_start_time: null,
          execution_duration: null,
          dependencies: ["a"],
          dependents: [],
        }),
      },
      dependencies: {
        "a->b": {
          line_id: "a->b",
          from_task_id: "a",
          to_task_id: "b",
          dependency_type: "success_only",
          condition_description: "",
          metadata: {},
          is_satisfied: true,
          last_evaluation_result: null,
          last_evaluation_time: null,
          created_at: null,
          updated_at: null,
        },
      },
      metadata: {},
      enable_visualization: true,
      created_at: null,
      updated_at: null,
      execution_start_time: null,
      execution_end_time: null,
      execution_duration: null,
    });
    // Key order follows UFO's to_dict too.
    expect(Object.keys(json.tasks.a).slice(0, 4)).toEqual([
      "task_id",
      "name",
      "description",
      "tips",
    ]);
  });

  it("is_satisfied uses our rules: a failed source does not satisfy success_only", () => {
    const o = orion("o")
      .task("a", { status: "failed", error: "boom" })
      .task("b", { after: "a" })
      .task("c", { after: "a", dependencyType: "completion_only" })
      .build();
    const json = toUfoJson(o);
    expect(json.dependencies["a->b"]!.is_satisfied).toBe(false);
    expect(json.dependencies["a->c"]!.is_satisfied).toBe(true);
  });

  it("writes the fixture's normalised content back in UFO's own spelling", () => {
    const original = fixture("example_constellation.json") as {
      tasks: Record<string, Record<string, unknown>>;
    };
    const written = JSON.parse(JSON.stringify(toUfoJson(fromUfoJson(original))));
    expect(Object.keys(written)).toEqual(Object.keys(original));
    for (const [id, task] of Object.entries(original.tasks)) {
      expect(Object.keys(written.tasks[id])).toEqual(Object.keys(task));
      expect({ ...written.tasks[id], priority: 0, status: "", device_type: "" }).toEqual({
        ...task,
        priority: 0,
        status: "",
        device_type: "",
      });
    }
    expect(written.tasks.task_001).toMatchObject({
      priority: 3,
      status: "pending",
      device_type: "linux",
    });
    expect(written.state).toBe("created");
  });

  it("writes __proto__ ids as ordinary keys", () => {
    const o = orion("o")
      .task("__proto__", { priority: 2 })
      .task("b", { after: "__proto__", priority: 2 })
      .build();
    const text = JSON.stringify(toUfoJson(o));
    expect(Object.keys(JSON.parse(text).tasks)).toEqual(["__proto__", "b"]);
    expect(fromUfoJson(JSON.parse(text))).toEqual(o);
  });
});

describe("round trips", () => {
  it.each(fixtureNames.map((name) => [name]))(
    "%s: fromUfoJson(toUfoJson(fromUfoJson(x))) equals fromUfoJson(x)",
    (name) => {
      const once = fromUfoJson(fixture(name));
      expect(fromUfoJson(toUfoJson(once))).toEqual(once);
      expect(fromUfoJson(JSON.parse(JSON.stringify(toUfoJson(once))))).toEqual(once);
      // Writing is stable too: what we write is a fixed point.
      const written = JSON.stringify(toUfoJson(once));
      expect(JSON.stringify(toUfoJson(fromUfoJson(JSON.parse(written))))).toBe(written);
    },
  );

  it("fromUfoJson(toUfoJson(o)) equals o for random orions in canonical form", () => {
    fc.assert(
      fc.property(
        dagArbitrary(),
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) }),
        fc.nat(999),
        ({ orion: o }, epoch, micros) => {
          // Shift the generated times into a realistic range, with microseconds.
          const shifted = {
            ...o,
            tasks: Object.fromEntries(
              Object.entries(o.tasks).map(([id, t]) => [
                id,
                {
                  ...t,
                  ...(t.executionStartTime === undefined
                    ? {}
                    : { executionStartTime: epoch + t.executionStartTime }),
                  ...(t.executionEndTime === undefined
                    ? {}
                    : { executionEndTime: epoch + t.executionEndTime + micros / 1000 }),
                },
              ]),
            ),
          };
          expect(fromUfoJson(JSON.parse(JSON.stringify(toUfoJson(shifted))))).toEqual(shifted);
        },
      ),
      { numRuns: 300 },
    );
  });
});
