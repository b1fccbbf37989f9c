// A small golden-file format in the spirit of cockroachdb/datadriven (used by etcd-io/raft's interaction
// tests): each case is a command line, a `----` separator and the expected output, ended by a blank line.
// Lines starting with `#` and blank lines between cases are comments.

/** One command and its expected output. */
export interface TestCase {
  /** Line number of the command (1-based), for error messages. */
  line: number;
  command: string;
  args: string[];
  /** The raw command line. */
  input: string;
  expected: string;
}

/** A parsed file: cases plus the comment lines before each of them, so the file can be rewritten faithfully. */
export interface TestFile {
  cases: TestCase[];
  /** Comment/blank lines preceding cases[i] (and, at index cases.length, trailing lines). */
  preambles: string[][];
}

/** Parses a golden file. */
export function parseTestFile(text: string): TestFile {
  const lines = text.split('\n');
  const cases: TestCase[] = [];
  const preambles: string[][] = [];
  let preamble: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '' || line.startsWith('#')) {
      preamble.push(line);
      i++;
      continue;
    }
    const commandLine = i + 1;
    const input = line.trim();
    i++;
    if (lines[i] !== '----') throw new Error(`line ${commandLine + 1}: expected ---- after command "${input}"`);
    i++;
    const output: string[] = [];
    while (i < lines.length && lines[i] !== '') output.push(lines[i++]);
    const [command, ...args] = tokenize(input);
    cases.push({ line: commandLine, command, args, input, expected: output.join('\n') });
    preambles.push(preamble);
    preamble = [];
  }
  // Drop the trailing empty string produced by a final newline.
  while (preamble.length > 0 && preamble[preamble.length - 1] === '') preamble.pop();
  preambles.push(preamble);
  return { cases, preambles };
}

/** Renders a file with new outputs (the REWRITE=1 mode). */
export function renderTestFile(file: TestFile, outputs: string[]): string {
  const parts: string[] = [];
  file.cases.forEach((testCase, index) => {
    parts.push(...file.preambles[index]);
    parts.push(testCase.input, '----', outputs[index], '');
  });
  parts.push(...file.preambles[file.cases.length]);
  let text = parts.join('\n');
  if (!text.endsWith('\n')) text += '\n';
  return text.replace(/\n\n\n+/g, '\n\n');
}

/** Splits a command line on spaces, keeping `key=(a,b,c)` groups whole. */
export function tokenize(line: string): string[] {
  return line.split(/\s+/).filter((token) => token.length > 0);
}

/** Key=value arguments and positional ones. */
export interface ParsedArgs {
  positional: string[];
  named: Map<string, string>;
}

/** Separates positional arguments from key=value ones. */
export function parseArgs(args: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const named = new Map<string, string>();
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at > 0) named.set(arg.slice(0, at), arg.slice(at + 1));
    else positional.push(arg);
  }
  return { positional, named };
}

/** The numbers of a `(1,2,3)` list argument. */
export function parseIdList(value: string | undefined): bigint[] {
  if (value === undefined) return [];
  const inner = value.replace(/^\(/, '').replace(/\)$/, '');
  return inner
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => BigInt(part));
}
