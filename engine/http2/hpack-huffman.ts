// A decoder for HPACK's static Huffman code (RFC 7541 Appendix B). The code is canonical: codes are assigned in
// order of increasing length, and within one length in symbol order. So the 257 code lengths are enough to rebuild
// every code, and a canonical decoder needs only, per length, the first code and where its symbols start in the
// symbol list sorted by (length, symbol). We decode rarely (only a request's :authority field), so a bit-at-a-time
// decoder is fast enough and keeps the tables tiny.

/**
 * Code lengths in bits of symbols 0..255 (RFC 7541 Appendix B; the same table as Go's x/net/http2/hpack, which
 * grpc-go uses). The end-of-string symbol (256) is 30 bits long.
 */
const codeLengths: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
];

/** The end-of-string symbol; a decoder must treat it as an error if it appears in the data (RFC 7541 5.2). */
const endOfStringSymbol = 256;
const longestCodeBits = 30;

/** Canonical decoding tables: for each length, the first code, the number of codes and the first symbol slot. */
interface CanonicalTables {
  firstCode: Int32Array;
  count: Int32Array;
  firstSlot: Int32Array;
  symbolsByCode: Uint16Array;
}

function buildTables(): CanonicalTables {
  const count = new Int32Array(longestCodeBits + 1);
  for (const length of codeLengths) count[length]++;
  const firstCode = new Int32Array(longestCodeBits + 1);
  const firstSlot = new Int32Array(longestCodeBits + 1);
  let code = 0;
  let slot = 0;
  for (let length = 1; length <= longestCodeBits; length++) {
    code = (code + count[length - 1]) << 1;
    firstCode[length] = code;
    firstSlot[length] = slot;
    slot += count[length];
  }
  // Codes of one length are consecutive in symbol order, so a stable sort by length gives their slots.
  const symbols = Array.from({ length: codeLengths.length }, (_, symbol) => symbol);
  symbols.sort((a, b) => codeLengths[a] - codeLengths[b] || a - b);
  return { firstCode, count, firstSlot, symbolsByCode: Uint16Array.from(symbols) };
}

const tables = buildTables();

/** The Huffman code of `symbol` as [code, bits] (for tests and for encoding test data). */
export function huffmanCode(symbol: number): [code: number, bits: number] {
  const bits = codeLengths[symbol];
  const slot = tables.symbolsByCode.indexOf(symbol);
  return [tables.firstCode[bits] + slot - tables.firstSlot[bits], bits];
}

/**
 * Decodes an HPACK Huffman-encoded string, or returns undefined when the input is not a valid encoding: it
 * contains the end-of-string symbol, or its padding is longer than 7 bits or not the most significant bits of EOS
 * (all ones), as RFC 7541 5.2 requires a decoder to reject.
 */
export function huffmanDecode(encoded: Uint8Array): Buffer | undefined {
  // Every symbol takes at least 5 bits, so this bounds the output.
  const output = Buffer.allocUnsafe(Math.floor((encoded.length * 8) / 5));
  let written = 0;
  let code = 0;
  let bits = 0;
  let allOnes = true;
  for (const byte of encoded) {
    for (let bit = 7; bit >= 0; bit--) {
      const value = (byte >> bit) & 1;
      code = (code << 1) | value;
      bits++;
      allOnes &&= value === 1;
      const offset = code - tables.firstCode[bits];
      if (offset >= 0 && offset < tables.count[bits]) {
        const symbol = tables.symbolsByCode[tables.firstSlot[bits] + offset];
        if (symbol === endOfStringSymbol) return undefined;
        output[written++] = symbol;
        code = 0;
        bits = 0;
        allOnes = true;
      } else if (bits >= longestCodeBits) {
        return undefined;
      }
    }
  }
  if (bits > 7 || !allOnes) return undefined;
  return output.subarray(0, written);
}
