/** Polls `check` (every 10 ms, at most `attempts` times) until it returns true; throws otherwise. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  attempts = 1000,
): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}
