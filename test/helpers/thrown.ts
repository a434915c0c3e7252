/** Runs fn and returns what it threw (undefined when it returned), so a test can assert on the error itself. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
