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

/** A canary config file or event payload that fails validation; `field` is the JSON path of the culprit. */
export class ConfigError extends InputError {
  readonly field: string;
  readonly problem: string;
  constructor(field: string, problem: string, options?: ErrorOptions) {
    super(`${field}: ${problem}`, options);
    this.name = 'ConfigError';
    this.field = field;
    this.problem = problem;
  }
}

/** The `name` of every input error above: where only the name survives (a Lambda error payload), these mean exit 2. */
export const INPUT_ERROR_NAMES: readonly string[] = ['InputError', 'AddressParseError', 'ConfigError'];

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
