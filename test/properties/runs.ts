/** How many runs a property gets: the quick default, or `npm run test:deep`'s. */
export function runs(quick: number, deep = quick * 100): number {
  return process.env["ORION_SYNC_DEEP"] ? deep : quick;
}
