/** Where a user-facing problem sits: an action input, or a file (and line) in the user's repository. */
export interface ProblemLocation {
  input?: string;
  file?: string;
  line?: number;
  column?: number;
}

/**
 * A problem the user can fix by changing an input or a file. Raised before any Azure write;
 * main.ts turns it into an annotation on the file/line when one is known.
 */
export class UserInputError extends Error {
  constructor(
    message: string,
    readonly where: ProblemLocation = {},
  ) {
    super(message);
    this.name = 'UserInputError';
  }
}

/** Several input problems found in one pass, reported together so one run shows them all. */
export class UserInputErrors extends Error {
  constructor(readonly problems: UserInputError[]) {
    super(problems.map((p) => p.message).join('\n'));
    this.name = 'UserInputErrors';
  }
}
