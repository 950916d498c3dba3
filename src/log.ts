/** The logging surface the stages use; main.ts passes an @actions/core-backed one, tests pass a recorder. */
export interface Log {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export const silentLog: Log = { info: () => {}, warning: () => {}, debug: () => {} };
