// The one error type for bytes from a peer that do not decode: a bad message or frame is the peer's fault (or
// the network's), never Cairn's, so it is a value the transport logs and answers, not an assertion.

/** Bytes from a peer were truncated, oversized or held a value out of range. */
export class MessageCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageCodecError';
  }
}
