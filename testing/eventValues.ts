import { InvalidEventError, parseOrionEvent, type OrionEvent } from "../src/events.js";

/** Characters with a meaning in marble diagrams (RxJS 7), so they cannot name a value. */
const RESERVED = new Set([" ", "-", "(", ")", "|", "#", "^", "!"]);

/**
 * The value map of an event marble diagram, checked: each key must be one character that is
 * not marble syntax (`-`, space, `(`, `)`, `|`, `#`, `^`, `!`), and each value a valid
 * {@link OrionEvent} (as `parseOrionEvent` sees it), so a typo fails where the map is
 * written rather than as a puzzling diagram. Returns the same values, typed as
 * `OrionEvent`s, so `hot(marbles, values)` is an `Observable<OrionEvent>` ready for
 * `pendingModifications()`.
 *
 * Reads naturally: the letters in the diagram are the keys of the map right under it.
 *
 * @example
 * const values = eventValues({ c: taskCompleted("a"), m: orionModified(["a"]) });
 * const events$ = hot("--c--m--", values); // with TestScheduler.run or rxjs-marbles
 * @throws RangeError for a key that is not a single character, or is marble syntax.
 * @throws TypeError for a value that is not a valid orion event (the message says why).
 */
export function eventValues<K extends string>(
  values: Readonly<Record<K, OrionEvent>>,
): Readonly<Record<K, OrionEvent>> {
  for (const key of Object.keys(values)) {
    if (key.length !== 1 || RESERVED.has(key)) {
      throw new RangeError(
        `eventValues: ${JSON.stringify(key)} cannot name a marble value: use one character other than ${[...RESERVED].map((c) => JSON.stringify(c)).join(" ")}`,
      );
    }
    const parsed = parseOrionEvent((values as Readonly<Record<string, unknown>>)[key]);
    if (parsed instanceof InvalidEventError) {
      throw new TypeError(`eventValues: value ${JSON.stringify(key)}: ${parsed.message}`);
    }
  }
  return values;
}
