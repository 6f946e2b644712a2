import { existsSync } from 'node:fs';
import { InputError } from '../functions/shared/errors.js';

/** The build output is missing: the stack packages what `npm run build` produced and never builds it itself. */
export class MissingBuildOutputError extends InputError {
  readonly path: string;
  constructor(path: string) {
    super(`${path} does not exist: run \`npm run build\` before synthesizing (npm run synth does)`);
    this.name = 'MissingBuildOutputError';
    this.path = path;
  }
}

export function requireBuildOutput(path: string): string {
  if (!existsSync(path)) throw new MissingBuildOutputError(path);
  return path;
}
