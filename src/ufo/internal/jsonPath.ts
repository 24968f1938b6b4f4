/**
 * The path of `key` inside the value at `path`: `tasks[2]`, `tasks.task_001`,
 * `tasks["a b"]`. The document itself is `$`, and its children drop the `$.`.
 * @internal
 */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === "$" ? key : `${path}.${key}`;
  return `${path === "$" ? "" : path}[${JSON.stringify(key)}]`;
}

/** A short description of a value for an error message: `"DONE"`, `42`, `an array`... @internal */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case "number":
    case "boolean":
      return String(value);
    case "bigint":
      return `the bigint ${value}`;
    case "undefined":
      return "undefined";
    case "object":
      return "an object";
    default:
      return `a ${typeof value}`;
  }
}
