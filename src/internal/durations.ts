/**
 * Checking durations given as options: a timeout (positive) and a delay (from 0), both at most
 * what a timer can wait. One home, so the bounds and the messages are written once.
 */

/**
 * The longest delay a JavaScript timer can wait: 2³¹ − 1 ms (about 24.8 days). Node and
 * browsers fire a `setTimeout` with a longer delay after 1 ms instead, so a longer timeout on
 * the default scheduler would time out at once.
 */
export const MAX_TIMEOUT = 2_147_483_647;

/**
 * Returns `value` if it is a usable duration in ms (a positive finite number of at most
 * {@link MAX_TIMEOUT}), else throws a `RangeError` naming the option: a timeout of 0, a
 * negative one, NaN or Infinity is always a mistake (a modification that times out at once,
 * or never), and a longer one than a timer can wait would time out at once.
 */
export function checkTimeout(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `${name} must be a positive finite number of milliseconds, got ${String(value)}`,
    );
  }
  if (value > MAX_TIMEOUT) {
    throw new RangeError(
      `${name} must be at most ${MAX_TIMEOUT} ms (about 24.8 days, the longest a timer can wait), got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Returns `value` if it is a usable delay in whole ms (an integer from 0 to {@link MAX_TIMEOUT}:
 * 0 means "at once", e.g. a retry without a pause), else throws a `RangeError` naming the option.
 */
export function checkDelay(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_TIMEOUT) {
    throw new RangeError(`${name} must be an integer from 0 to ${MAX_TIMEOUT} ms, got ${value}`);
  }
  return value;
}
