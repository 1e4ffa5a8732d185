/**
 * What every command gets from the entry point: where to print (already redacted), the environment
 * it reads, and how to set the exit code. Passed in rather than global so the whole CLI can run
 * in-process in tests (the hostile-input suite runs hundreds of argument lists that way).
 */
export interface Cli {
  log(line: string): void;
  /** Standard error: what must not mix with a command's machine-readable output (`--json`). */
  warn(line: string): void;
  env: NodeJS.ProcessEnv;
  setExitCode(code: number): void;
}
