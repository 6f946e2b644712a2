/** Bad user input: an address, a CIDR, a CLI argument, a config field or an event. Maps to exit code 2. */
export class InputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InputError';
  }
}

/** An address or CIDR that does not parse. */
export class AddressParseError extends InputError {
  readonly input: string;
  constructor(input: string, what: 'address' | 'CIDR', options?: ErrorOptions) {
    const reason = options?.cause instanceof Error ? ` (${options.cause.message})` : '';
    super(`not a valid IP ${what}: ${JSON.stringify(input)}${reason}`, options);
    this.name = 'AddressParseError';
    this.input = input;
  }
}

/** One thing wrong in a config: `field` is the JSON path of the culprit (prefixed with the file or variable). */
export interface ConfigProblem {
  readonly field: string;
  readonly problem: string;
}

/** A config lists at most this many problems in its message; the rest are counted ("and 3 more"). */
export const CONFIG_PROBLEMS_SHOWN = 20;

function describeProblems(problems: readonly ConfigProblem[]): string {
  const [first] = problems;
  if (problems.length === 1 && first !== undefined) return `${first.field}: ${first.problem}`;
  const shown = problems.slice(0, CONFIG_PROBLEMS_SHOWN).map(({ field, problem }) => `\n  ${field}: ${problem}`);
  const more = problems.length > CONFIG_PROBLEMS_SHOWN ? `\n  and ${problems.length - CONFIG_PROBLEMS_SHOWN} more` : '';
  return `${problems.length} problems in the config:${shown.join('')}${more}`;
}

/**
 * A canary config file or event payload that fails validation: every problem found, so one edit fixes them all.
 * `field` and `problem` are the first one's.
 */
export class ConfigError extends InputError {
  readonly field: string;
  readonly problem: string;
  readonly problems: readonly ConfigProblem[];
  constructor(field: string, problem: string, options?: ErrorOptions & { readonly more?: readonly ConfigProblem[] }) {
    const problems = [{ field, problem }, ...(options?.more ?? [])];
    super(describeProblems(problems), options);
    this.name = 'ConfigError';
    this.field = field;
    this.problem = problem;
    this.problems = problems;
  }

  /** One error for all the problems (at least one). */
  static of(problems: readonly ConfigProblem[], options?: ErrorOptions): ConfigError {
    const [first, ...more] = problems;
    if (first === undefined) throw new RangeError('ConfigError.of needs at least one problem');
    return new ConfigError(first.field, first.problem, { ...options, more });
  }

  /** The same problems with each rewritten: a file name or a vantage prefixed, an environment variable blamed. */
  map(rewrite: (problem: ConfigProblem) => ConfigProblem): ConfigError {
    return ConfigError.of(this.problems.map(rewrite), { cause: this });
  }
}

/** The `name` of every input error above: where only the name survives (a Lambda error payload), these mean exit 2. */
export const INPUT_ERROR_NAMES: readonly string[] = ['InputError', 'AddressParseError', 'ConfigError'];

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
