// Go's time.ParseDuration, which etcd uses for every duration flag ("5s", "1h30m", "100ms", "-1.5h"), returning
// milliseconds. Error texts follow Go's so that a mistyped value reads the same as it would with etcd.

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration into milliseconds; returns an error message instead when it is not one. */
export function parseGoDuration(text: string): { ms: number } | { error: string } {
  const invalid = { error: `time: invalid duration ${JSON.stringify(text)}` };
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ms: 0 };
  if (rest === '') return invalid;
  let totalMs = 0;
  while (rest !== '') {
    const number = /^(\d*)(\.\d*)?/.exec(rest)!;
    if (number[0] === '' || number[0] === '.') return invalid;
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') return { error: `time: missing unit in duration ${JSON.stringify(text)}` };
    const factor = unitMs[unit];
    if (factor === undefined) return { error: `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}` };
    rest = rest.slice(unit.length);
    totalMs += Number(number[0]) * factor;
  }
  return { ms: sign * totalMs };
}
