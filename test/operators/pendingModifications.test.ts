import { map, Subject, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import type { OrionEvent } from "../../src/events.js";
import { InvalidEventError } from "../../src/events.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { pendingKey, type PendingState } from "../../src/pending/PendingState.js";
import type { PendingCommand } from "../../src/pending/reducePending.js";
import { marbles } from "../marbles.js";
import {
  emptyOrion,
  eventValues,
  orionCompleted,
  orionModified,
  orionStarted,
  pendingSummary as summary,
  taskCompleted,
  taskFailed,
  taskStarted,
  virtualTime,
} from "../../testing/index.js";
import { trackingScheduler } from "../support/trackingScheduler.js";

const ev = eventValues({
  a: taskCompleted("a"),
  b: taskCompleted("b"),
  f: taskFailed("b"),
  s: taskStarted("a"),
  m: orionModified(["a"]),
  n: orionModified(["b"]),
  w: orionModified(["a", "b"]),
  x: taskCompleted("a", "o2"),
  e: orionCompleted("o1"),
});

const summarise = (s$: Observable<PendingState>) => s$.pipe(map(summary));

describe("pendingModifications", () => {
  it(
    "emits the initial empty state on subscription, then registers and completes",
    marbles((m) => {
      const events = m.hot("  ^-a---m---|", ev);
      const subs = "          ^---------!";
      const expected = "      i-r---c---|";
      m.expect(
        events.pipe(pendingModifications({ scheduler: m.scheduler }), map(summary)),
      ).toBeObservable(expected, { i: "/initial", r: "a/registered", c: "/completed" });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "keys by orion and task: the same task id in two orions is two modifications",
    marbles((m) => {
      const events = m.hot("  ^-a-x-m-|", ev);
      const subs = "          ^-------!";
      const expected = "      i-r-s-c-|";
      m.expect(summarise(events.pipe(pendingModifications()))).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        s: "a,o2:a/registered",
        c: "o2:a/completed",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "treats a second completion of a pending task as a duplicate, not a second registration",
    marbles((m) => {
      const events = m.hot("  ^-a-a-m-|", ev);
      const subs = "          ^-------!";
      const expected = "      i-r-d-c-|";
      const states: PendingState[] = [];
      m.expect(
        events.pipe(
          pendingModifications(),
          map((s) => (states.push(s), summary(s))),
        ),
      ).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        d: "a/ignored",
        c: "/completed",
      });
      m.expect(events).toHaveSubscriptions(subs);
      m.flush();
      const last = states.at(-1) as PendingState;
      expect(last.stats).toMatchObject({
        totalModifications: 1,
        completedModifications: 1,
        duplicateEvents: 1,
      });
    }),
  );

  it(
    "completes several tasks with one batched ORION_MODIFIED",
    marbles((m) => {
      const events = m.hot("  ^-a-f-w-|", ev);
      const subs = "          ^-------!";
      const expected = "      i-r-s-c-|";
      m.expect(summarise(events.pipe(pendingModifications()))).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        s: "a,b/registered",
        c: "/completed",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "handles a registration and its completion in the same frame, in order",
    marbles((m) => {
      const events = m.hot("  ^-(am)-|", ev);
      const subs = "          ^------!";
      const expected = "      i-(rc)-|";
      m.expect(summarise(events.pipe(pendingModifications()))).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        c: "/completed",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "remembers an ORION_MODIFIED that arrives before its TASK_COMPLETED (out of order)",
    marbles((m) => {
      const events = m.hot("  ^-m-a-|", ev);
      const subs = "          ^-----!";
      const expected = "      i-p-c-|";
      const states: PendingState[] = [];
      m.expect(
        events.pipe(
          pendingModifications(),
          map((s) => (states.push(s), summary(s))),
        ),
      ).toBeObservable(expected, { i: "/initial", p: "/completed", c: "/completed" });
      m.expect(events).toHaveSubscriptions(subs);
      m.flush();
      const [, anticipated, done] = states as [PendingState, PendingState, PendingState];
      expect(anticipated.last).toMatchObject({
        kind: "completed",
        entries: [],
        anticipated: ["a"],
      });
      expect(anticipated.anticipatedCount).toBe(1);
      expect(done.last).toMatchObject({ kind: "completed", trigger: "TASK_COMPLETED" });
      expect(done.anticipatedCount).toBe(0);
      expect(done.stats).toMatchObject({
        totalModifications: 1,
        completedModifications: 1,
        unmatchedModifications: 1,
      });
    }),
  );

  it(
    "forgets an anticipation after the timeout: a later completion registers normally",
    marbles((m) => {
      const events = m.hot("  ^-m 499ms - 500ms a-|", ev);
      const subs = "          ^-- 499ms - 500ms --!";
      const expected = "      i-p 499ms f 500ms r-|";
      m.expect(
        summarise(
          events.pipe(pendingModifications({ modificationTimeout: 500, scheduler: m.scheduler })),
        ),
      ).toBeObservable(expected, {
        i: "/initial",
        p: "/completed",
        f: "/timed-out",
        r: "a/registered",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "times a stuck modification out after 600 s of virtual time, and says so",
    marbles((m) => {
      // 600 s after the completion, then 100 s more: 700 s in all.
      const events = m.hot("  ^-a 599999ms - 100000ms |", ev);
      const subs = "          ^-- 599999ms - 100000ms !";
      const expected = "      i-r 599999ms t 100000ms |";
      const states: PendingState[] = [];
      m.expect(
        events.pipe(
          pendingModifications({ scheduler: m.scheduler }),
          map((s) => (states.push(s), summary(s))),
        ),
      ).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        t: "/timed-out",
      });
      m.expect(events).toHaveSubscriptions(subs);
      m.flush();
      const timedOut = states[2] as PendingState;
      expect(timedOut.last).toMatchObject({
        kind: "timed-out",
        entries: [{ taskId: "a", registeredAt: 2, deadline: 600002 }],
      });
      expect(timedOut.stats.timeoutModifications).toBe(1);
    }),
  );

  it(
    "times out entries registered at different times at their own deadlines",
    marbles((m) => {
      const events = m.hot("  ^-a-b 97ms --- 100ms |", ev);
      const subs = "          ^---- 97ms --- 100ms !";
      const expected = "      i-r-s 97ms t-u 100ms |";
      m.expect(
        summarise(
          events.pipe(pendingModifications({ modificationTimeout: 100, scheduler: m.scheduler })),
        ),
      ).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        s: "a,b/registered",
        t: "b/timed-out",
        u: "/timed-out",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "counts a modification that arrives after its timeout as late",
    marbles((m) => {
      const events = m.hot("  ^-a 99ms - 50ms m-|", ev);
      const subs = "          ^-- 99ms - 50ms --!";
      const expected = "      i-r 99ms t 50ms l-|";
      const states: PendingState[] = [];
      m.expect(
        events.pipe(
          pendingModifications({ modificationTimeout: 100, scheduler: m.scheduler }),
          map((s) => (states.push(s), summary(s))),
        ),
      ).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        t: "/timed-out",
        l: "/completed",
      });
      m.expect(events).toHaveSubscriptions(subs);
      m.flush();
      expect(states.at(-1)?.last).toMatchObject({ kind: "completed", late: ["a"], entries: [] });
      expect(states.at(-1)?.stats.lateModifications).toBe(1);
    }),
  );

  it(
    "treats a redelivered completion as a duplicate until the task starts again",
    marbles((m) => {
      const events = m.hot("  ^-a-m-a-s-a-|", ev);
      const subs = "          ^-----------!";
      const expected = "      i-r-c-d-t-r-|";
      m.expect(summarise(events.pipe(pendingModifications()))).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        c: "/completed",
        d: "/ignored",
        t: "/restarted",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "emits nothing for an event that changes nothing",
    marbles((m) => {
      const events = m.hot("  ^-s-s-|", ev);
      const subs = "          ^-----!";
      const expected = "      i-----|";
      m.expect(summarise(events.pipe(pendingModifications()))).toBeObservable(expected, {
        i: "/initial",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "counts invalid values without breaking the stream",
    marbles((m) => {
      const values = m.hot<unknown>("^-x-y-a-|", {
        x: 42,
        y: { type: "ORION_MODIFIED", orionId: "o1", onTaskIds: [] },
        a: taskCompleted("a"),
      });
      const subs = "                 ^-------!";
      const expected = "             i-v-w-r-|";
      const bad = values as unknown as Observable<OrionEvent>;
      const states: PendingState[] = [];
      m.expect(
        bad.pipe(
          pendingModifications(),
          map((s) => (states.push(s), summary(s))),
        ),
      ).toBeObservable(expected, {
        i: "/initial",
        v: "/ignored",
        w: "/ignored",
        r: "a/registered",
      });
      m.expect(values).toHaveSubscriptions(subs);
      m.flush();
      const last = states[2]?.last;
      expect(last?.kind === "ignored" && last.error).toBeInstanceOf(InvalidEventError);
      expect(last?.kind === "ignored" && last.error?.path).toBe("onTaskIds");
      expect(states.at(-1)?.stats.invalidEvents).toBe(2);
    }),
  );

  it(
    "sets the current orion from ORION_STARTED and from newOrion, and reports ORION_COMPLETED",
    marbles((m) => {
      const started = emptyOrion("o1");
      const edited = { ...emptyOrion("o1"), name: "edited" };
      const events = m.hot("^-o-a-n-e-|", {
        o: orionStarted(started),
        a: taskCompleted("a"),
        n: orionModified(["a"], "o1", edited),
        e: orionCompleted("o1"),
      });
      const subs = "        ^---------!";
      const expected = "    i-o-r-c-e-|";
      const states: PendingState[] = [];
      m.expect(
        events.pipe(
          pendingModifications(),
          map((s) => (states.push(s), summary(s))),
        ),
      ).toBeObservable(expected, {
        i: "/initial",
        o: "/orion",
        r: "a/registered",
        c: "/completed",
        e: "/orion",
      });
      m.expect(events).toHaveSubscriptions(subs);
      m.flush();
      expect(states[1]?.currentOrion).toBe(started);
      expect(states[3]?.currentOrion).toBe(edited);
      expect(states[3]?.records.get(pendingKey("o1", "a"))).toMatchObject({ phase: "completed" });
      expect(states[4]?.last).toMatchObject({
        kind: "orion",
        event: "ORION_COMPLETED",
        orionId: "o1",
      });
    }),
  );

  it(
    "propagates a source error and leaves no timer behind",
    marbles((m) => {
      const scheduler = trackingScheduler(m.scheduler);
      const events = m.hot("  ^-a-#", ev);
      const subs = "          ^---!";
      const expected = "      i-r-#";
      m.expect(summarise(events.pipe(pendingModifications({ scheduler })))).toBeObservable(
        expected,
        {
          i: "/initial",
          r: "a/registered",
        },
      );
      m.expect(events).toHaveSubscriptions(subs);
      m.flush();
      expect(scheduler.scheduled()).toBe(1);
      expect(scheduler.live()).toBe(0);
    }),
  );

  it(
    "completes with the source and cancels the pending timeouts",
    marbles((m) => {
      const scheduler = trackingScheduler(m.scheduler);
      const events = m.hot("  ^-a-b-|", ev);
      const subs = "          ^-----!";
      const expected = "      i-r-s-|";
      m.expect(summarise(events.pipe(pendingModifications({ scheduler })))).toBeObservable(
        expected,
        {
          i: "/initial",
          r: "a/registered",
          s: "a,b/registered",
        },
      );
      m.expect(events).toHaveSubscriptions(subs);
      m.flush();
      expect(scheduler.live()).toBe(0);
    }),
  );

  it(
    "unsubscribes from the source and cancels the timer when unsubscribed",
    marbles((m) => {
      const scheduler = trackingScheduler(m.scheduler);
      const events = m.hot("  ^-a-b-m-|", ev);
      const unsub = "         ^--!";
      const subs = "          ^--!";
      const expected = "      i-r-";
      m.expect(summarise(events.pipe(pendingModifications({ scheduler }))), unsub).toBeObservable(
        expected,
        {
          i: "/initial",
          r: "a/registered",
        },
      );
      m.expect(events).toHaveSubscriptions([subs]);
      m.flush();
      expect(scheduler.live()).toBe(0);
    }),
  );

  it(
    "keeps one timer, whatever the number of pending modifications, and none once they complete",
    marbles((m) => {
      const scheduler = trackingScheduler(m.scheduler);
      const source = new Subject<OrionEvent>();
      const states: PendingState[] = [];
      const sub = source.pipe(pendingModifications({ scheduler })).subscribe((s) => states.push(s));
      for (let i = 0; i < 1000; i++) source.next(taskCompleted(`t${i}`));
      expect(states.at(-1)?.pending.size).toBe(1000);
      expect(scheduler.live()).toBe(1);
      for (let i = 0; i < 1000; i++) source.next(orionModified([`t${i}`]));
      expect(states.at(-1)?.pending.size).toBe(0);
      expect(scheduler.live()).toBe(0);
      expect(scheduler.scheduled()).toBe(1);
      sub.unsubscribe();
    }),
  );

  it(
    "re-arms its single timer for the next live deadline when the earliest is answered",
    marbles((m) => {
      const events = m.hot("  ^-a-b-m 97ms - 52ms |", ev);
      const subs = "          ^------ 97ms - 52ms !";
      const expected = "      i-r-s-c 97ms t 52ms |";
      m.expect(
        summarise(
          events.pipe(pendingModifications({ modificationTimeout: 100, scheduler: m.scheduler })),
        ),
      ).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        s: "a,b/registered",
        c: "b/completed",
        t: "/timed-out",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "obeys clear and set-timeout commands, counting cleared and timed-out entries apart",
    marbles((m) => {
      const commands = m.hot<PendingCommand>("^----c---t-z--", {
        c: { kind: "clear" },
        t: { kind: "set-timeout", modificationTimeout: 10 },
        z: { kind: "clear", countAs: "timed-out" },
      });
      const both = { a: taskCompleted("a"), b: taskCompleted("b") };
      const events = m.hot("                  ^-a-b-----a-------|", both);
      const commandsSubs = "                  ^-----------------!";
      const eventsSubs = "                    ^-----------------!";
      const expected = "                      i-r-sc---td-------|";
      const states: PendingState[] = [];
      m.expect(
        events.pipe(
          pendingModifications({ commands, scheduler: m.scheduler }),
          map((s) => (states.push(s), summary(s))),
        ),
      ).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        s: "a,b/registered",
        c: "/cleared",
        t: "/timeout-changed",
        d: "/ignored",
      });
      m.expect(commands).toHaveSubscriptions(commandsSubs);
      m.expect(events).toHaveSubscriptions(eventsSubs);
      m.flush();
      // "a" was cleared and not restarted: its second completion is a redelivery.
      expect(states.at(-1)?.stats).toMatchObject({
        totalModifications: 2,
        clearedModifications: 2,
        duplicateEvents: 1,
      });
      expect(states.at(-1)?.modificationTimeout).toBe(10);
    }),
  );

  it(
    "stops listening to commands when the source completes",
    marbles((m) => {
      const commands = m.hot<PendingCommand>("^-----c-", { c: { kind: "clear" } });
      const events = m.hot("                  ^-a-|", ev);
      const commandsSubs = "                  ^---!";
      const eventsSubs = "                    ^---!";
      const expected = "                      i-r-|";
      m.expect(summarise(events.pipe(pendingModifications({ commands })))).toBeObservable(
        expected,
        {
          i: "/initial",
          r: "a/registered",
        },
      );
      m.expect(commands).toHaveSubscriptions([commandsSubs]);
      m.expect(events).toHaveSubscriptions(eventsSubs);
    }),
  );

  it("rejects a timeout that is not a positive finite number", () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => pendingModifications({ modificationTimeout: bad })).toThrow(RangeError);
    }
  });

  it(
    "gives each subscription its own fold",
    marbles((m) => {
      const events = m.hot("  ^-a-|", ev);
      const subs = "          ^---!";
      const expected = "      i-r-|";
      const fold = events.pipe(pendingModifications(), map(summary));
      m.expect(fold).toBeObservable(expected, { i: "/initial", r: "a/registered" });
      m.expect(fold).toBeObservable(expected, { i: "/initial", r: "a/registered" });
      m.expect(events).toHaveSubscriptions([subs, subs]);
    }),
  );

  it(
    "forgets an answered task one timeout after the answer: a redelivery then registers again",
    marbles((m) => {
      // a at 2, answered at 4; redelivered at 50 (a duplicate) and at 200 (forgotten by then).
      const events = m.hot("  ^-a-m 45ms a 149ms a-|", ev);
      const subs = "          ^---- 45ms - 149ms --!";
      const expected = "      i-r-c 45ms d 149ms r-|";
      m.expect(
        summarise(
          events.pipe(pendingModifications({ modificationTimeout: 100, scheduler: m.scheduler })),
        ),
      ).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        c: "/completed",
        d: "/ignored",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "forgets an anticipation when the task starts (a new run needs a new answer)",
    marbles((m) => {
      const events = m.hot("  ^-m-s-a-|", ev);
      const subs = "          ^-------!";
      const expected = "      i-p-t-r-|";
      m.expect(summarise(events.pipe(pendingModifications()))).toBeObservable(expected, {
        i: "/initial",
        p: "/completed",
        t: "/restarted",
        r: "a/registered",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it("keeps its records bounded by one timeout window over many cycles", () => {
    const { scheduler, advance } = virtualTime();
    const source = new Subject<OrionEvent>();
    let latest: PendingState | undefined;
    const sub = source
      .pipe(pendingModifications({ scheduler, modificationTimeout: 100 }))
      .subscribe((s) => (latest = s));
    for (let i = 0; i < 2000; i++) {
      source.next(taskCompleted(`t${i}`));
      source.next(orionModified([`t${i}`]));
      // One cycle per 10 ms of virtual time: about 10 cycles fit in one window.
      advance(10);
    }
    expect(latest?.stats.completedModifications).toBe(2000);
    expect(latest?.records.size).toBeLessThanOrEqual(11);
    sub.unsubscribe();
  });
});
