/**
 * Returns `value` if it is a usable duration in ms (a positive finite number), else throws
 * a `RangeError` naming the option: a timeout of 0, a negative one, NaN or Infinity is
 * always a mistake (a modification that times out at once, or never).
 */
export function checkTimeout(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `${name} must be a positive finite number of milliseconds, got ${String(value)}`,
    );
  }
  return value;
}
