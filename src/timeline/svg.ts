/**
 * SVG primitives of the timeline: escaping, attributes, the few elements it draws, and a rough
 * measure of text. They know nothing of reports or time: the layout composes them.
 * @module
 */
import { FONT_FAMILY } from "./style.js";

/** An element's attributes in order; `undefined` ones are left out, numbers go through {@link px}. */
export type Attrs = Readonly<Record<string, string | number | undefined>>;

// ---- Text --------------------------------------------------------------------------------------

/** Escapes text for XML content and attribute values; drops characters XML 1.0 cannot carry. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
  );
}

/** A rough width in px of `text` at `size`: wide (CJK, full-width) characters count double. */
export function textWidth(text: string, size: number): number {
  let units = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    units += isWide(cp) ? 1.0 : 0.58;
  }
  return units * size;
}

/** Whether code point `cp` is drawn about twice as wide as a Latin letter (CJK, full-width, emoji). */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Shortens `text` with an ellipsis so that it fits in `maxWidth` px (never splits a code point). */
export function fitText(text: string, maxWidth: number, size: number): string {
  if (textWidth(text, size) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(chars.join("") + "…", size) > maxWidth) chars.pop();
  return chars.join("") + "…";
}

// ---- Numbers -----------------------------------------------------------------------------------

/** `value` rounded to `decimals` places: coordinates and the durations written in labels. */
export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** Coordinates rounded to 0.01 px keep the document small and stable. */
export function px(value: number): string {
  return String(round(value, 2));
}

// ---- Elements ----------------------------------------------------------------------------------

/** ` name="value"` for each defined attribute, values escaped and numbers rounded. */
export function attrs(values: Attrs): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === "number" ? px(v) : escapeXml(v)}"`)
    .join("");
}

/** A `<rect>`, with a `<title>` tooltip when `tooltip` is given. */
export function rect(values: Attrs, tooltip?: string): string {
  return tooltip === undefined
    ? `<rect${attrs(values)}/>`
    : `<rect${attrs(values)}><title>${escapeXml(tooltip)}</title></rect>`;
}

/** A `<text>` element holding `content`, escaped. */
export function text(content: string, values: Attrs): string {
  return `<text${attrs(values)}>${escapeXml(content)}</text>`;
}

/** A `<line>` (its ends, stroke and dashes all in `values`). */
export function line(values: Attrs): string {
  return `<line${attrs(values)}/>`;
}

/** A `<path>` (its `d` and paint in `values`). */
export function path(values: Attrs): string {
  return `<path${attrs(values)}/>`;
}

/** A standalone `<svg>` document of `width` × `height` on white, titled, holding `parts`. */
export function svgDocument(
  width: number,
  height: number,
  title: string,
  parts: readonly string[],
): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs({
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      "font-family": FONT_FAMILY,
      role: "img",
    })}>`,
    `<title>${escapeXml(title)}</title>`,
    rect({ x: 0, y: 0, width, height, fill: "#ffffff" }),
    ...parts,
    "</svg>",
  ].join("\n");
}
