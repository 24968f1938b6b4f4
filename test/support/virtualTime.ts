/** Virtual time for tests that drive operators imperatively (outside marble diagrams). */
export { virtualTime, type VirtualTime } from "../../testing/index.js";

/** What the promise settled with, or "unsettled" if it has not by the next macrotask. */
export async function peek<T>(promise: Promise<T>): Promise<T | "unsettled"> {
  return Promise.race([
    promise,
    new Promise<"unsettled">((resolve) => setImmediate(() => resolve("unsettled"))),
  ]);
}
