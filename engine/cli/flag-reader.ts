// Typed access to the resolved flag values: the given setting when there is one, else the flag's default
// (parsed by the same rules as user input, so a default can never be of the wrong type).
import { AssertionError } from '../common/assert.ts';
import type { FlagValue } from './flag-spec.ts';
import { findFlag } from './flag-table.ts';
import { parseFlagValue } from './flag-value.ts';
import type { Setting } from './setting.ts';

/** Reads flags by name from the given settings, falling back to defaults. */
export class FlagReader {
  constructor(private readonly settings: ReadonlyMap<string, Setting>) {}

  /** Whether the flag was given (on the command line, in the environment or in the config file). */
  isSet(name: string): boolean {
    return this.settings.has(name);
  }

  /** The value of a string or choice flag. */
  string(name: string): string {
    const value = this.value(name);
    if (!(typeof value === 'string')) throw new AssertionError(`flag --${name} is not a string flag`);
    return value;
  }

  /** The value of a bool flag. */
  bool(name: string): boolean {
    const value = this.value(name);
    if (!(typeof value === 'boolean')) throw new AssertionError(`flag --${name} is not a bool flag`);
    return value;
  }

  /** The value of an integer flag, or a duration flag in milliseconds. */
  number(name: string): number {
    const value = this.value(name);
    if (!(typeof value === 'number')) throw new AssertionError(`flag --${name} is not a number flag`);
    return value;
  }

  /** The value of a URL or list flag. */
  list(name: string): string[] {
    const value = this.value(name);
    if (!(Array.isArray(value))) throw new AssertionError(`flag --${name} is not a list flag`);
    return [...value];
  }

  private value(name: string): FlagValue {
    const given = this.settings.get(name);
    if (given) return given.value;
    const spec = findFlag(name);
    if (!(spec)) throw new AssertionError(`no flag --${name}`);
    const parsed = parseFlagValue(spec, spec.defaultValue);
    if (!('value' in parsed)) throw new AssertionError(`the default of --${name} does not parse: ${'error' in parsed ? parsed.error : ''}`);
    return parsed.value;
  }
}
