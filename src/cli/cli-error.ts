/** A user-facing failure: main prints `ncp-silicon: <message>` and exits 1, with no stack trace. */
export class CliError extends Error {
  override name = 'CliError';
}
