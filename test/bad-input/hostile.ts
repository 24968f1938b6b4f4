/**
 * Hostile variants of plain values, for the fuzzers: throwing getters, proxies that throw on
 * every trap, revoked proxies, thrown values that cannot even be printed, deep nesting.
 */
import fc from "fast-check";

/** A hostile value, and whether reading its top level is certain to throw. */
export interface Hostile {
  readonly value: unknown;
  /** `root`: any reader of the value hits a throw; `maybe`: only if it reads deep enough. */
  readonly throws: "root" | "maybe";
  /** What it is, for fast-check's report (printing the value itself would throw). */
  readonly label: string;
}

function make(value: unknown, throws: Hostile["throws"], label: string): Hostile {
  return { value, throws, label, [fc.toStringMethod]: () => label } as Hostile;
}

/** What a hostile getter or trap throws (a fresh value per throw), and its name. */
export interface Thrower {
  readonly name: string;
  (): unknown;
}

function thrower(name: string, make: () => unknown): Thrower {
  return Object.defineProperty(() => make(), "name", { value: name }) as Thrower;
}

/** What hostile getters and traps throw: errors, and values that cannot even be printed. */
export const thrownValue: fc.Arbitrary<Thrower> = fc.constantFrom(
  thrower("Error", () => new Error("getter")),
  thrower("TypeError", () => new TypeError("trap")),
  thrower("a string", () => "a string"),
  thrower("undefined", () => undefined),
  thrower("a symbol", () => Symbol("thrown")),
  // String() of these throws too.
  thrower("a null-prototype object", () => Object.create(null) as unknown),
  thrower("an object whose toString throws", () => ({
    toString: (): never => {
      throw new Error("toString");
    },
  })),
  thrower("an error whose message getter throws", () => {
    const error = new Error("x");
    Object.defineProperty(error, "message", {
      get: (): never => {
        throw new Error("message getter");
      },
    });
    return error;
  }),
  thrower(
    "an error proxy whose prototype cannot be read",
    () =>
      new Proxy(new Error("proxy"), {
        getPrototypeOf: (): never => {
          throw new Error("getPrototypeOf");
        },
      }),
  ),
);

/** A proxy of `target` whose every trap throws `thrown()`. */
export function throwingProxy(target: object, thrown: () => unknown): object {
  const trap = (): never => {
    throw thrown();
  };
  return new Proxy(target, {
    get: trap,
    has: trap,
    ownKeys: trap,
    getOwnPropertyDescriptor: trap,
    getPrototypeOf: trap,
    defineProperty: trap,
    set: trap,
    deleteProperty: trap,
  });
}

/** `base` with a getter on `key` that throws `thrown()`. */
export function withThrowingGetter(
  base: Record<string, unknown>,
  key: string,
  thrown: () => unknown,
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...base };
  Object.defineProperty(copy, key, {
    enumerable: true,
    configurable: true,
    get: (): never => {
      throw thrown();
    },
  });
  return copy;
}

function nest(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { next: value } : [value];
  return value;
}

/**
 * Hostile variants of values from `base`: the top-level `keys` are the fields a reader is
 * sure to read first (a throwing getter there throws for any reader).
 */
export function hostile(
  base: fc.Arbitrary<Record<string, unknown>>,
  rootKeys: readonly string[] = ["type"],
  keys: readonly string[] = ["type", "orionId", "taskId", "onTaskIds", "orion", "newOrion"],
): fc.Arbitrary<Hostile> {
  const nested = fc.constantFrom(...keys);
  return fc.oneof(
    fc
      .tuple(base, fc.constantFrom(...rootKeys), thrownValue)
      .map(([b, k, t]) =>
        make(withThrowingGetter(b, k, t), "root", `getter ${k} throws ${t.name}`),
      ),
    fc
      .tuple(base, nested, thrownValue)
      .map(([b, k, t]) =>
        make(withThrowingGetter(b, k, t), "maybe", `getter ${k} throws ${t.name}`),
      ),
    fc
      .tuple(base, thrownValue)
      .map(([b, t]) => make(throwingProxy(b, t), "root", `throwing proxy ${t.name}`)),
    base.map((b): Hostile => {
      const { proxy, revoke } = Proxy.revocable(b, {});
      revoke();
      return make(proxy, "root", "revoked proxy");
    }),
    fc.tuple(base, nested, thrownValue).map(([b, k, t]): Hostile => {
      // A field whose value is a throwing proxy (an array-like, an orion, an id).
      const inner = throwingProxy(Array.isArray(b[k]) ? [] : {}, t);
      return make({ ...b, [k]: inner }, "maybe", `${k} is a throwing proxy ${t.name}`);
    }),
    fc
      .tuple(base, nested, fc.integer({ min: 1_000, max: 5_000 }))
      .map(([b, k, depth]) =>
        make({ ...b, [k]: nest(depth, b[k]) }, "maybe", `${k} ${depth} deep`),
      ),
    fc.tuple(base, thrownValue).map(([b, t]): Hostile => {
      // Inherits from a throwing proxy: a reader that looks up the chain throws.
      const value: unknown = Object.create(
        throwingProxy({}, t),
        Object.getOwnPropertyDescriptors(b),
      );
      return make(value, "maybe", `inherits from a throwing proxy ${t.name}`);
    }),
  );
}
