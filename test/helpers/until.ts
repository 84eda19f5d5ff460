/** Polls `done` every 20 ms for at most `limitMs`; its last answer (assert it: `expect(await until(…)).toBe(true)`). */
export async function until(done: () => boolean | Promise<boolean>, limitMs = 10_000): Promise<boolean> {
  for (const end = Date.now() + limitMs; Date.now() < end; await new Promise((r) => setTimeout(r, 20)))
    if (await done()) return true;
  return done();
}
