/**
 * The pure reducer, one test per rule of the comment at the top of src/pending/reducePending.ts,
 * in that order. Each test drives `reducePending` directly with `now` in its hands: no
 * scheduler, no operator.
 */
import { describe, expect, it } from "vitest";
import { InvalidEventError, type OrionEvent } from "../../src/events.js";
import { hasSeenEvent, pendingKey, type PendingState } from "../../src/pending/PendingState.js";
import {
  ANSWERED_RECORDS_LIMIT,
  initialPendingState,
  reducePending,
  SEEN_EVENTS_LIMIT,
  type PendingInput,
} from "../../src/pending/reducePending.js";
import {
  DEFAULT_ORION_ID as O,
  emptyOrion,
  orionCompleted,
  orionFailed,
  orionModified,
  orionStarted,
  taskCompleted,
  taskFailed,
  taskStarted,
} from "../../testing/index.js";

const TIMEOUT = 1000;

const initial = (): PendingState => initialPendingState(TIMEOUT, 0);

/** `state` after the bus value `value` arrives at `now` (optionally replayed from `at`). */
function step(state: PendingState, value: unknown, now: number, at?: number): PendingState {
  const input: PendingInput =
    at === undefined ? { kind: "event", event: value } : { kind: "event", event: value, at };
  return reducePending(state, input, now);
}

/** `state` after each value in turn, all at `now`. */
function steps(state: PendingState, values: readonly unknown[], now = 0): PendingState {
  return values.reduce<PendingState>((s, value) => step(s, value, now), state);
}

/** `event` with an event id. */
const withId = <E extends OrionEvent>(event: E, eventId: string): E => ({ ...event, eventId });

/** An answer naming event ids (`onEventIds`); `onTaskIds` must still be non-empty. */
const answerEvents = (eventIds: readonly string[], onTaskIds: readonly string[] = ["a"]) => ({
  ...orionModified(onTaskIds),
  onEventIds: eventIds,
});

const key = (taskId: string, orionId: string = O) => pendingKey(orionId, taskId);
/** How many entries the fold's queue of answered records to forget holds (internal state). */
const forgetQueueLength = (s: PendingState): number =>
  (s as unknown as { readonly forget: { readonly length: number } }).forget.length;

/** The event ids of the modifications a transition completed, cleared or timed out. */
const endedIds = (state: PendingState): (string | undefined)[] =>
  "entries" in state.last ? state.last.entries.map((e) => e.eventId) : [];

/** The seqs of the modifications a transition completed, cleared or timed out. */
const endedSeqs = (state: PendingState): number[] =>
  "entries" in state.last ? state.last.entries.map((e) => e.seq) : [];

describe("reducePending", () => {
  it("returns the same state for an input that changes nothing, and keeps version and transition for housekeeping", () => {
    const s0 = initial();
    // An id-less start of a task nothing is known about changes nothing.
    expect(step(s0, taskStarted("z"), 0)).toBe(s0);
    // Dropping an answered record whose window has passed is housekeeping: not emitted.
    const answered = steps(s0, [taskCompleted("a"), orionModified(["a"])]);
    const purged = step(answered, taskStarted("z"), TIMEOUT);
    expect(purged).not.toBe(answered);
    expect(purged.version).toBe(answered.version);
    expect(purged.last).toBe(answered.last);
  });

  it("keys every record by orion and task, and every event id by orion", () => {
    const s = steps(initial(), [
      withId(taskCompleted("a", "o1"), "e1"),
      withId(taskCompleted("a", "o2"), "e1"),
    ]);
    expect(s.last.kind).toBe("registered");
    expect(s.pending.size).toBe(2);
    expect(s.pending.has(key("a", "o1"))).toBe(true);
    expect(s.pending.has(key("a", "o2"))).toBe(true);
    expect(s.stats.duplicateEvents).toBe(0);
    // Answering a in o1 leaves a in o2 owed.
    const answered = step(s, orionModified(["a"], "o1"), 0);
    expect([...answered.pending.keys()]).toEqual([key("a", "o2")]);
  });

  it("remembers an event id two orions used once per orion: each forgets its own in its own time", () => {
    const inO1 = withId(taskStarted("a", "o1"), "e1");
    const inO2 = withId(taskStarted("a", "o2"), "e1");
    const both = step(step(initial(), inO1, 0), inO2, 600);
    expect(hasSeenEvent(both, "o1", "e1") && hasSeenEvent(both, "o2", "e1")).toBe(true);
    expect(hasSeenEvent(both, undefined as never, "e1")).toBe(false);
    expect(step(both, inO2, 700).last).toMatchObject({ kind: "ignored", reason: "duplicate" });
    // One timeout after o1's: o1's is forgotten (seen afresh), o2's is still a duplicate.
    const later = step(both, inO1, TIMEOUT + 1);
    expect(later.last).toMatchObject({ kind: "seen", orionId: "o1", eventId: "e1" });
    expect(step(later, inO2, TIMEOUT + 2).last).toMatchObject({ kind: "ignored" });
    expect(later.events.get(key("e1", "o2"))).toMatchObject({ phase: "seen", orionId: "o2" });
  });

  it("treats an event whose id was seen as a duplicate whatever arrived in between, changing only duplicateEvents", () => {
    const completion = withId(taskCompleted("a"), "e1");
    // Answered and restarted since: an id-less completion would register again; this one does not.
    const before = steps(initial(), [completion, orionModified(["a"]), taskStarted("a")]);
    const after = step(before, completion, 1);
    expect(after.last).toMatchObject({ kind: "ignored", reason: "duplicate" });
    expect(after.stats).toEqual({ ...before.stats, duplicateEvents: 1 });
    expect(after.records).toBe(before.records);
    expect(after.pending).toBe(before.pending);
    expect(after.owedCount).toBe(0);
  });

  it("registers a modification for each TASK_COMPLETED and TASK_FAILED, due one timeout later", () => {
    const completed = step(initial(), taskCompleted("a"), 5);
    expect(completed.last).toMatchObject({
      kind: "registered",
      entry: {
        taskId: "a",
        cause: "TASK_COMPLETED",
        registeredAt: 5,
        deadline: 5 + TIMEOUT,
        seq: 1,
      },
    });
    const failed = step(completed, taskFailed("b"), 7);
    expect(failed.last).toMatchObject({
      kind: "registered",
      entry: { taskId: "b", cause: "TASK_FAILED", registeredAt: 7, deadline: 7 + TIMEOUT, seq: 2 },
    });
    expect(failed.pending.size).toBe(2);
    expect(failed.owedCount).toBe(2);
    expect(failed.stats.totalModifications).toBe(2);
  });

  it("treats an id-less completion of a task with a modification pending as a duplicate, until the task starts again", () => {
    const pending = steps(initial(), [taskCompleted("a"), taskCompleted("a")]);
    expect(pending.last).toMatchObject({ kind: "ignored", reason: "duplicate" });
    expect(pending.stats).toMatchObject({ totalModifications: 1, duplicateEvents: 1 });
    const rerun = steps(pending, [taskStarted("a"), taskCompleted("a")]);
    expect(rerun.last).toMatchObject({ kind: "registered", entry: { taskId: "a", seq: 2 } });
    expect(rerun.owedCount).toBe(2);
  });

  it("treats an id-less completion within one timeout of its task's answer as a redelivery", () => {
    const answered = steps(initial(), [taskCompleted("a"), orionModified(["a"])], 10);
    const redelivered = step(answered, taskCompleted("a"), 10 + TIMEOUT - 1);
    expect(redelivered.last).toMatchObject({ kind: "ignored", reason: "duplicate" });
    expect(redelivered.pending.size).toBe(0);
    // One timeout after the answer, it is a new completion.
    const later = step(answered, taskCompleted("a"), 10 + TIMEOUT);
    expect(later.last).toMatchObject({ kind: "registered", entry: { taskId: "a" } });
  });

  it("registers a retry's completion with a new id while one is owed, and each needs its own answer", () => {
    const retried = steps(initial(), [
      withId(taskCompleted("a"), "e1"),
      withId(taskCompleted("a"), "e2"),
    ]);
    expect(retried.last).toMatchObject({ kind: "registered", entry: { eventId: "e2", seq: 2 } });
    expect(retried.pending.size).toBe(1);
    expect(retried.owedCount).toBe(2);
    const first = step(retried, orionModified(["a"]), 1);
    expect(endedIds(first)).toEqual(["e1"]);
    expect(first.owedCount).toBe(1);
    expect(first.pending.get(key("a"))?.eventId).toBe("e2");
    const second = step(first, orionModified(["a"]), 2);
    expect(endedIds(second)).toEqual(["e2"]);
    expect(second.pending.size).toBe(0);
    expect(second.owedCount).toBe(0);
  });

  it("registers and completes at once a completion whose task an earlier ORION_MODIFIED named", () => {
    const early = step(initial(), orionModified(["a"]), 0);
    expect(early.last).toMatchObject({ kind: "completed", entries: [], anticipated: ["a"] });
    expect(early.anticipatedCount).toBe(1);
    expect(early.stats.unmatchedModifications).toBe(1);
    const done = step(early, taskCompleted("a"), 5);
    expect(done.last).toMatchObject({
      kind: "completed",
      trigger: "TASK_COMPLETED",
      entries: [{ taskId: "a" }],
    });
    expect(done.pending.size).toBe(0);
    expect(done.owedCount).toBe(0);
    expect(done.anticipatedCount).toBe(0);
    expect(done.stats).toMatchObject({ totalModifications: 1, completedModifications: 1 });
  });

  it("registers and completes at once a completion whose event id an earlier answer named", () => {
    const early = step(initial(), answerEvents(["e1"]), 0);
    expect(early.last).toMatchObject({ kind: "completed", entries: [], anticipatedEvents: ["e1"] });
    expect(hasSeenEvent(early, O, "e1")).toBe(false);
    const done = step(early, withId(taskCompleted("a"), "e1"), 5);
    expect(done.last).toMatchObject({ kind: "completed", trigger: "TASK_COMPLETED" });
    expect(endedIds(done)).toEqual(["e1"]);
    expect(done.pending.size).toBe(0);
    // The answer named that event, not the task: another completion of it is owed.
    const other = step(done, withId(taskCompleted("a"), "e2"), 6);
    expect(other.last).toMatchObject({ kind: "registered", entry: { eventId: "e2" } });
  });

  it("remembers an anticipation until the modification timeout: expired, the completion registers", () => {
    const early = step(initial(), orionModified(["a"]), 0);
    const due = [{ kind: "anticipated", orionId: O, taskId: "a" }] as const;
    expect(reducePending(early, { kind: "expire", due }, TIMEOUT - 1)).toBe(early);
    const expired = reducePending(early, { kind: "expire", due }, TIMEOUT);
    expect(expired.last).toMatchObject({
      kind: "timed-out",
      entries: [],
      forgotten: [{ orionId: O, taskId: "a" }],
    });
    expect(expired.anticipatedCount).toBe(0);
    const completion = step(expired, taskCompleted("a"), TIMEOUT + 1);
    expect(completion.last).toMatchObject({ kind: "registered", entry: { taskId: "a" } });
    expect(completion.pending.size).toBe(1);
  });

  it("completes, for ORION_MODIFIED with onEventIds, exactly the modifications those events registered", () => {
    const owed = steps(initial(), [
      withId(taskCompleted("a"), "e1"),
      withId(taskCompleted("a"), "e2"),
      withId(taskCompleted("b"), "e3"),
    ]);
    // onTaskIds names a and b, but the event ids choose: the younger of a's two, none of b's.
    const answered = step(owed, answerEvents(["e2"], ["a", "b"]), 1);
    expect(endedIds(answered)).toEqual(["e2"]);
    expect(answered.owedCount).toBe(2);
    expect(answered.pending.get(key("a"))?.eventId).toBe("e1");
    expect(answered.pending.get(key("b"))?.eventId).toBe("e3");
  });

  it("completes, for ORION_MODIFIED without onEventIds, each named task's oldest owed modification", () => {
    const owed = steps(initial(), [
      withId(taskCompleted("a"), "e1"),
      withId(taskCompleted("a"), "e2"),
      withId(taskCompleted("b"), "e3"),
      withId(taskCompleted("c"), "e4"),
    ]);
    const answered = step(owed, orionModified(["a", "b"]), 1);
    expect(endedIds(answered)).toEqual(["e1", "e3"]);
    expect(answered.owedCount).toBe(2);
    expect(answered.pending.get(key("a"))?.eventId).toBe("e2");
    expect(answered.pending.has(key("c"))).toBe(true);
  });

  it("counts as late a named task whose modification timed out or was cleared", () => {
    const registered = steps(initial(), [taskCompleted("a"), taskCompleted("b")]);
    const due = [{ kind: "pending", orionId: O, taskId: "a" }] as const;
    const timedOut = reducePending(registered, { kind: "expire", due }, TIMEOUT);
    expect(endedSeqs(timedOut)).toEqual([1]);
    const cleared = reducePending(timedOut, { kind: "clear" }, TIMEOUT);
    expect(endedSeqs(cleared)).toEqual([2]);
    const answered = step(cleared, orionModified(["a", "b"]), TIMEOUT + 1);
    expect(answered.last).toMatchObject({ kind: "completed", entries: [], late: ["a", "b"] });
    expect(answered.stats.lateModifications).toBe(2);
    expect(answered.anticipatedCount).toBe(0);
  });

  it("counts as a duplicate a named task already answered or already anticipated", () => {
    const answered = steps(initial(), [taskCompleted("a"), orionModified(["a"])]);
    const again = step(answered, orionModified(["a"]), 1);
    expect(again.last).toMatchObject({ kind: "completed", entries: [], duplicates: ["a"] });
    expect(again.stats.duplicateEvents).toBe(1);
    const anticipated = step(again, orionModified(["z"]), 2);
    const twice = step(anticipated, orionModified(["z"]), 3);
    expect(twice.last).toMatchObject({ kind: "completed", duplicates: ["z"], anticipated: [] });
    expect(twice.anticipatedCount).toBe(1);
    expect(twice.stats.duplicateEvents).toBe(2);
  });

  it("makes an ORION_MODIFIED's newOrion the current orion", () => {
    const edited = { ...emptyOrion(O), name: "edited" };
    const s = step(initial(), orionModified(["a"], O, edited), 0);
    expect(s.currentOrion).toBe(edited);
    expect(s.orions.get(O)).toBe(edited);
    expect(s.last).toMatchObject({ kind: "completed", orionUpdated: true });
    const plain = step(s, orionModified(["b"]), 1);
    expect(plain.currentOrion).toBe(edited);
    expect(plain.last).toMatchObject({ kind: "completed", orionUpdated: false });
  });

  it("forgets, on TASK_STARTED, an answered or anticipated task, so this run's completion registers afresh", () => {
    const answered = steps(initial(), [taskCompleted("a"), orionModified(["a"])]);
    const restarted = step(answered, taskStarted("a"), 1);
    expect(restarted.last).toMatchObject({ kind: "restarted", taskId: "a" });
    expect(restarted.records.has(key("a"))).toBe(false);
    expect(step(restarted, taskCompleted("a"), 2).last).toMatchObject({ kind: "registered" });

    const anticipated = step(initial(), orionModified(["b"]), 0);
    const started = step(anticipated, taskStarted("b"), 1);
    expect(started.anticipatedCount).toBe(0);
    expect(started.records.has(key("b"))).toBe(false);
    const completion = step(started, taskCompleted("b"), 2);
    expect(completion.last).toMatchObject({ kind: "registered", entry: { taskId: "b" } });
    expect(completion.pending.size).toBe(1);
  });

  it("marks restarted, on TASK_STARTED, a task with a modification owed, which stays owed", () => {
    const owed = step(initial(), taskCompleted("a"), 0);
    expect(owed.pending.get(key("a"))?.restarted).toBe(false);
    const started = step(owed, taskStarted("a"), 1);
    expect(started.pending.get(key("a"))).toMatchObject({ restarted: true, seq: 1 });
    expect(started.owedCount).toBe(1);
    // Id-less, the mark is housekeeping: the operator emits nothing for it.
    expect(started.version).toBe(owed.version);
    expect(started.last).toBe(owed.last);
    // With an id, it is a transition.
    const withAnId = step(owed, withId(taskStarted("a"), "s1"), 1);
    expect(withAnId.last).toMatchObject({ kind: "restarted", taskId: "a", eventId: "s1" });
    expect(withAnId.pending.get(key("a"))?.restarted).toBe(true);
  });

  it("sets the current orion and its entry in orions on ORION_STARTED", () => {
    const orion = emptyOrion("o2");
    const s = step(initial(), orionStarted(orion), 0);
    expect(s.currentOrion).toBe(orion);
    expect(s.orions.get("o2")).toBe(orion);
    expect(s.last).toMatchObject({ kind: "orion", event: "ORION_STARTED", orionId: "o2" });
  });

  it("drops the orion from orions on ORION_COMPLETED or ORION_FAILED, leaving its pending entries owed", () => {
    const running = steps(initial(), [
      orionStarted(emptyOrion("o1")),
      orionStarted(emptyOrion("o2")),
      taskCompleted("a", "o1"),
    ]);
    const completed = step(running, orionCompleted("o1"), 1);
    expect(completed.last).toMatchObject({ kind: "orion", event: "ORION_COMPLETED" });
    expect(completed.orions.has("o1")).toBe(false);
    expect(completed.pending.has(key("a", "o1"))).toBe(true);
    expect(step(completed, orionModified(["a"], "o1"), 2).pending.size).toBe(0);
    const failed = step(completed, orionFailed("o2"), 2);
    expect(failed.last).toMatchObject({ kind: "orion", event: "ORION_FAILED" });
    expect(failed.orions.has("o2")).toBe(false);
  });

  it("remembers an event with an id that changes nothing else, as a seen transition", () => {
    const s0 = initial();
    const start = withId(taskStarted("z"), "s1");
    const seen = step(s0, start, 0);
    expect(seen.last).toMatchObject({ kind: "seen", eventId: "s1", type: "TASK_STARTED" });
    expect(seen.version).toBe(s0.version + 1);
    expect(hasSeenEvent(s0, O, "s1")).toBe(false);
    expect(hasSeenEvent(seen, O, "s1")).toBe(true);
    expect(step(seen, start, 1).last).toMatchObject({ kind: "ignored", reason: "duplicate" });
  });

  it("counts in invalidEvents anything that fails parseOrionEvent, and changes nothing else", () => {
    const before = step(initial(), taskCompleted("a"), 0);
    for (const bad of [
      42,
      { type: "TASK_COMPLETED", taskId: "b" },
      { type: "ORION_MODIFIED", orionId: O, onTaskIds: [] },
    ]) {
      const after = step(before, bad, 1);
      expect(after.last).toMatchObject({ kind: "ignored", reason: "invalid", event: bad });
      expect(after.last.kind === "ignored" && after.last.error).toBeInstanceOf(InvalidEventError);
      expect(after.stats).toEqual({ ...before.stats, invalidEvents: 1 });
      expect(after.pending).toBe(before.pending);
    }
  });

  it("measures a replayed completion's modification from min(at, now)", () => {
    const replayed = step(initial(), taskCompleted("a"), 5000, 1000);
    expect(replayed.last).toMatchObject({
      kind: "registered",
      entry: { registeredAt: 1000, deadline: 1000 + TIMEOUT },
    });
    // Overdue at once: an expire input at `now` times it out.
    const due = [{ kind: "pending", orionId: O, taskId: "a" }] as const;
    expect(reducePending(replayed, { kind: "expire", due }, 5000).last.kind).toBe("timed-out");
    // A time in the future is no later than now.
    const future = step(initial(), taskCompleted("b"), 5000, 9000);
    expect(future.last).toMatchObject({
      kind: "registered",
      entry: { registeredAt: 5000, deadline: 5000 + TIMEOUT },
    });
  });

  it("clears, with registeredBefore, only the modifications whose seq is at most that", () => {
    const owed = steps(initial(), [
      taskCompleted("a"),
      taskCompleted("b"),
      withId(taskCompleted("a"), "e3"),
      taskCompleted("c"),
    ]);
    const cleared = reducePending(owed, { kind: "clear", registeredBefore: 2 }, 1);
    expect(cleared.last).toMatchObject({ kind: "cleared", countedAs: "cleared" });
    expect(endedSeqs(cleared).sort()).toEqual([1, 2]);
    expect(cleared.owedCount).toBe(2);
    expect(cleared.pending.get(key("a"))).toMatchObject({ seq: 3, eventId: "e3" });
    expect(cleared.pending.has(key("b"))).toBe(false);
    expect(cleared.pending.has(key("c"))).toBe(true);
    expect(cleared.stats.clearedModifications).toBe(2);
    // Nothing at or before seq 0: no transition.
    const none = reducePending(cleared, { kind: "clear", registeredBefore: 0 }, 2);
    expect(none.version).toBe(cleared.version);
    expect(none.last).toBe(cleared.last);
    expect(none.owedCount).toBe(2);
  });

  it("forgets an answered record one timeout after the answer, lazily, when a later input arrives", () => {
    const answered = steps(initial(), [taskCompleted("a"), orionModified(["a"])], 10);
    expect(answered.records.get(key("a"))).toMatchObject({ phase: "completed" });
    const noop = taskStarted("z");
    expect(step(answered, noop, 10 + TIMEOUT - 1).records.has(key("a"))).toBe(true);
    // Nothing happens at the deadline itself: the record goes with the next input.
    expect(answered.records.has(key("a"))).toBe(true);
    expect(step(answered, noop, 10 + TIMEOUT).records.has(key("a"))).toBe(false);
  });

  it("keeps only the ANSWERED_RECORDS_LIMIT most recent answered records", () => {
    let s = initial();
    for (let i = 0; i <= ANSWERED_RECORDS_LIMIT; i++) {
      s = steps(s, [taskCompleted(`t${i}`), orionModified([`t${i}`])]);
    }
    // Purged on the next input, all within the timeout window.
    s = step(s, taskStarted("z"), 0);
    expect(s.records.size).toBe(ANSWERED_RECORDS_LIMIT);
    expect(s.records.has(key("t0"))).toBe(false);
    expect(s.records.has(key("t1"))).toBe(true);
    // So t0's redelivery registers, and t1's is still a duplicate.
    expect(step(s, taskCompleted("t0"), 0).last.kind).toBe("registered");
    expect(step(s, taskCompleted("t1"), 0).last.kind).toBe("ignored");
  });

  it("counts toward ANSWERED_RECORDS_LIMIT the answered records held, not those a retry replaced", () => {
    // Every task fails, is answered, is retried (its answered record goes), completes and is
    // answered again: one answered record per task, two answers.
    let s = initial();
    for (let i = 0; i < 2 * ANSWERED_RECORDS_LIMIT; i++) {
      const t = `t${i}`;
      s = steps(s, [
        taskStarted(t),
        taskFailed(t),
        orionModified([t]),
        taskStarted(t),
        taskCompleted(t),
        orionModified([t]),
      ]);
    }
    s = step(s, taskStarted("z"), 0);
    const answered = [...s.records.values()].filter(
      (r) => r.phase !== "pending" && r.phase !== "anticipated",
    );
    expect(answered).toHaveLength(ANSWERED_RECORDS_LIMIT);
    expect(s.records.has(key(`t${ANSWERED_RECORDS_LIMIT}`))).toBe(true);
    expect(s.records.has(key(`t${ANSWERED_RECORDS_LIMIT - 1}`))).toBe(false);
    // And what the fold queues to forget them stays bounded by the limit, not by the answers.
    expect(forgetQueueLength(s)).toBeLessThanOrEqual(2 * ANSWERED_RECORDS_LIMIT);
  });

  it("keeps its queue of records to forget bounded when retries leave most of it stale", () => {
    // One answered record that stays, oldest in the queue; then every task fails, is
    // answered, and is retried, which deletes its answered record (the retries still run):
    // all the entries behind the first are stale, and none is ever due.
    let s = steps(initial(), [taskStarted("keep"), taskCompleted("keep"), orionModified(["keep"])]);
    for (let i = 0; i < 3 * ANSWERED_RECORDS_LIMIT; i++) {
      const t = `t${i}`;
      s = steps(s, [taskStarted(t), taskFailed(t), orionModified([t]), taskStarted(t)]);
    }
    expect([...s.records.keys()]).toEqual([key("keep")]);
    expect(forgetQueueLength(s)).toBeLessThanOrEqual(2 * ANSWERED_RECORDS_LIMIT + 1);
  });

  it("forgets an event id one timeout after it was seen, but keeps one whose modification is owed until it ends", () => {
    const s = steps(initial(), [withId(taskStarted("z"), "s1"), withId(taskCompleted("a"), "e1")]);
    const later = step(s, taskStarted("y"), TIMEOUT);
    expect(hasSeenEvent(later, O, "s1")).toBe(false);
    expect(hasSeenEvent(later, O, "e1")).toBe(true);
    // Owed, so still a duplicate however late it is redelivered.
    const redelivered = step(s, withId(taskCompleted("a"), "e1"), 10 * TIMEOUT);
    expect(redelivered.last).toMatchObject({ kind: "ignored", reason: "duplicate" });
    // Answered, it is forgotten one timeout after the answer.
    const answered = step(later, orionModified(["a"]), TIMEOUT);
    expect(hasSeenEvent(step(answered, taskStarted("y"), 2 * TIMEOUT - 1), O, "e1")).toBe(true);
    expect(hasSeenEvent(step(answered, taskStarted("y"), 2 * TIMEOUT), O, "e1")).toBe(false);
  });

  it("counts toward SEEN_EVENTS_LIMIT each remembered id once, whether or not its modification was owed", () => {
    // Each task: a completion with an id, answered by an answer with an id. Two ids per task,
    // so the limit is reached after LIMIT / 2 tasks, not before.
    const tasks = Math.floor(SEEN_EVENTS_LIMIT / 2) - 1;
    let s = initial();
    for (let i = 0; i < tasks; i++) {
      s = step(s, withId(taskCompleted(`t${i}`), `c${i}`), 0);
      s = step(s, withId(answerEvents([`c${i}`], [`t${i}`]), `m${i}`), 0);
    }
    s = step(s, taskStarted("y"), 0);
    expect(s.events.size).toBe(2 * tasks);
    expect(hasSeenEvent(s, O, "c0")).toBe(true);
    expect(hasSeenEvent(s, O, "m0")).toBe(true);
  });

  it("keeps only the SEEN_EVENTS_LIMIT most recent event ids, besides those of owed modifications", () => {
    let s = step(initial(), withId(taskCompleted("a"), "owed"), 0);
    for (let i = 0; i <= SEEN_EVENTS_LIMIT; i++) s = step(s, withId(taskStarted("z"), `s${i}`), 0);
    // Purged on the next input, all within the timeout window.
    s = step(s, taskStarted("y"), 0);
    expect(hasSeenEvent(s, O, "s0")).toBe(false);
    expect(hasSeenEvent(s, O, "s1")).toBe(true);
    expect(hasSeenEvent(s, O, `s${SEEN_EVENTS_LIMIT}`)).toBe(true);
    expect(hasSeenEvent(s, O, "owed")).toBe(true);
  });
});
