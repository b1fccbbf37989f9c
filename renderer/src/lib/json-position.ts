// Finds where JSON text first goes wrong. JSON.parse in V8 often names the bad token without its position,
// and a user fixing a 500-line document needs the line and column.

/** The offset and reason of the first JSON syntax error, or undefined when the text is valid JSON. */
export function findJsonError(text: string): { offset: number; reason: string } | undefined {
  let offset = 0;
  const fail = (reason: string): never => {
    throw { offset, reason };
  };
  const skipSpace = (): void => {
    while (offset < text.length && ' \t\n\r'.includes(text[offset]!)) offset++;
  };
  const expect = (word: string): void => {
    if (text.startsWith(word, offset)) offset += word.length;
    else fail(`expected ${word}`);
  };
  const string = (): void => {
    offset++;
    while (offset < text.length && text[offset] !== '"') {
      if (text[offset] === '\\') offset++;
      else if (text.charCodeAt(offset) < 0x20) fail('control character in a string');
      offset++;
    }
    if (offset >= text.length) fail('unterminated string');
    offset++;
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(offset, offset + 400));
    if (!match || match[0] === '' || match[0] === '-') fail('expected a value');
    offset += match![0].length;
  };
  const list = (close: string, item: () => void): void => {
    offset++;
    skipSpace();
    if (text[offset] === close) {
      offset++;
      return;
    }
    while (true) {
      item();
      skipSpace();
      if (text[offset] === ',') {
        offset++;
        continue;
      }
      if (text[offset] === close) {
        offset++;
        return;
      }
      fail(`expected , or ${close}`);
    }
  };
  const value = (): void => {
    skipSpace();
    const character = text[offset];
    if (character === '{') {
      list('}', () => {
        skipSpace();
        if (text[offset] !== '"') fail('expected a property name in double quotes');
        string();
        skipSpace();
        expect(':');
        value();
      });
    } else if (character === '[') list(']', value);
    else if (character === '"') string();
    else if (character === 't') expect('true');
    else if (character === 'f') expect('false');
    else if (character === 'n') expect('null');
    else number();
  };
  try {
    value();
    skipSpace();
    if (offset < text.length) fail('unexpected text after the end');
    return undefined;
  } catch (error) {
    return error as { offset: number; reason: string };
  }
}
