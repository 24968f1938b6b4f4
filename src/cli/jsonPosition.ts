/** Where a `JSON.parse` error is: V8 does not always say, so we find it ourselves. */

class ScanError {
  constructor(readonly at: number) {}
}

const LITERALS = ["true", "false", "null"] as const;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/** The offset of the first syntax error of `text` as JSON, or `undefined` if it is valid. */
export function findJsonError(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new ScanError(i);
  };
  const ws = (): void => {
    while (i < text.length && " \t\n\r".includes(text.charAt(i))) i++;
  };
  const string = (): void => {
    i++;
    while (i < text.length) {
      const ch = text.charAt(i);
      if (ch === '"') {
        i++;
        return;
      }
      if (ch === "\\") {
        i++;
        const escape = text.charAt(i);
        if (escape === "u") {
          HEX4.lastIndex = i + 1;
          if (!HEX4.test(text)) fail();
          i += 5;
          continue;
        }
        if (!'"\\/bfnrt'.includes(escape) || escape === "") fail();
      } else if (ch < " ") fail();
      i++;
    }
    fail();
  };
  const value = (): void => {
    ws();
    const ch = text.charAt(i);
    if (ch === "{" || ch === "[") {
      const close = ch === "{" ? "}" : "]";
      i++;
      ws();
      if (text.charAt(i) === close) {
        i++;
        return;
      }
      for (;;) {
        if (close === "}") {
          ws();
          if (text.charAt(i) !== '"') fail();
          string();
          ws();
          if (text.charAt(i) !== ":") fail();
          i++;
        }
        value();
        ws();
        if (text.charAt(i) === ",") i++;
        else if (text.charAt(i) === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (ch === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    const literal = LITERALS.find((l) => text.startsWith(l, i));
    if (literal !== undefined) {
      i += literal.length;
      return;
    }
    // The error is at the first character that no literal can continue with.
    const prefix = (l: string): number => {
      let n = 0;
      while (n < l.length && text.charAt(i + n) === l.charAt(n)) n++;
      return n;
    };
    i += Math.max(...LITERALS.map(prefix));
    fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof ScanError) return error.at;
    throw error;
  }
}

/** 1-based line and column of `offset` in `text` (columns count UTF-16 code units). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split("\n");
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** `JSON.parse`'s message without its position and quoted input: the position is given apart. */
export function describeJsonError(message: string): string {
  return message
    .replace(/ in JSON at position \d+(?: \(line \d+ column \d+\))?/, "")
    .replace(/, ".*" is not valid JSON$/s, "")
    .replace(
      /^Unexpected token '(.)'/su,
      (_, token: string) => `Unexpected token ${JSON.stringify(token)}`,
    )
    .replace(/\s+/g, " ")
    .trim();
}
