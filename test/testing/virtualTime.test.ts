import { timer } from "rxjs";
import { describe, expect, it } from "vitest";
import { createTestSynchronizer, taskCompleted, virtualTime } from "../../testing/index.js";

describe("virtualTime", () => {
  it("advance runs what is due within the window, in order, and moves the clock", () => {
    const { scheduler, advance, now } = virtualTime();
    const fired: string[] = [];
    timer(10, scheduler).subscribe(() => {
      fired.push(`a@${scheduler.now()}`);
      // Scheduled from inside the window, and due inside it: runs in the same advance.
      timer(5, scheduler).subscribe(() => fired.push(`c@${scheduler.now()}`));
    });
    timer(20, scheduler).subscribe(() => fired.push(`b@${scheduler.now()}`));
    advance(9);
    expect(fired).toStrictEqual([]);
    expect(now()).toBe(9);
    advance(6);
    expect(fired).toStrictEqual(["a@10", "c@15"]);
    expect(now()).toBe(15);
    advance(100);
    expect(fired).toStrictEqual(["a@10", "c@15", "b@20"]);
    expect(now()).toBe(115);
  });

  it("flush runs everything, however far ahead", () => {
    const time = virtualTime();
    let at = -1;
    timer(1_000_000, time.scheduler).subscribe(() => (at = time.now()));
    time.flush();
    expect(at).toBe(1_000_000);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("rejects advance(%s)", (bad) => {
    expect(() => virtualTime().advance(bad)).toThrow(RangeError);
  });

  it("does what docs/testing.md says: a wait that times out clears what is pending", async () => {
    const { scheduler, advance } = virtualTime();
    const { synchronizer, publish } = createTestSynchronizer(scheduler);
    publish(taskCompleted("a"));
    const settled = synchronizer.waitForPendingModifications(50);
    advance(49);
    expect(synchronizer.getPendingCount()).toBe(1);
    advance(1);
    expect(await settled).toBe(false);
    expect(synchronizer.getPendingCount()).toBe(0);
    expect(synchronizer.getStatistics().timeoutModifications).toBe(1);
  });
});
