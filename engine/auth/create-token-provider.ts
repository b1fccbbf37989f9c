// Builds a member's token provider from `--auth-token` (etcd's auth.NewTokenProvider): "simple" (the default)
// or "jwt,<name>=<value>,...". A bad option stops the start with etcd's error, after logging the cause as etcd
// does ("problem loading JWT options", "invalid token option", "unknown JWT options").
import type { Logger } from '../common/logger.ts';
import { JwtOptionsError, jwtKeyErrors, jwtOptionNames, parseJwtOptions } from './jwt-options.ts';
import { JwtTokens } from './jwt-tokens.ts';
import { SimpleTokens } from './simple-tokens.ts';
import type { TokenProvider } from './token-provider.ts';

/** The token type and its `name=value` options, or undefined when an option is malformed or repeated. */
export function decomposeTokenOptions(text: string): { type: string; options: Map<string, string> } | undefined {
  const [type, ...pairs] = text.split(',');
  const options = new Map<string, string>();
  for (const pair of pairs) {
    const parts = pair.split('=');
    if (parts.length !== 2 || options.has(parts[0]!)) return undefined;
    options.set(parts[0]!, parts[1]!);
  }
  return { type: type!, options };
}

/** What the provider is built from. */
export interface TokenProviderOptions {
  /** --auth-token as given. */
  authToken: string;
  /** --auth-token-ttl, for simple tokens. */
  simpleTtlMs: number;
  clock: () => number;
  logger: Logger;
}

/** The member's token provider; throws an Error with etcd's message when the options are unusable. */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const { logger } = options;
  const decomposed = decomposeTokenOptions(options.authToken);
  if (decomposed === undefined) {
    logger.warn('invalid token option', { option: options.authToken });
    throw new Error(jwtKeyErrors.invalidAuthOptions);
  }
  if (decomposed.type === 'simple') {
    logger.warn('simple token is not cryptographically signed', {});
    return new SimpleTokens(options.simpleTtlMs, options.clock);
  }
  if (decomposed.type !== 'jwt') {
    logger.warn('unknown token type', { type: decomposed.type, error: jwtKeyErrors.invalidAuthOptions });
    throw new Error(jwtKeyErrors.invalidAuthOptions);
  }
  let settings;
  try {
    settings = parseJwtOptions(decomposed.options);
  } catch (error) {
    if (!(error instanceof JwtOptionsError)) throw error;
    logger.error('problem loading JWT options', { error: error.message });
    throw new Error(jwtKeyErrors.invalidAuthOptions);
  }
  const unknown = [...decomposed.options.keys()].filter((name) => !(jwtOptionNames as readonly string[]).includes(name));
  if (unknown.length > 0) logger.warn('unknown JWT options', { keys: unknown });
  const tokens = new JwtTokens(settings, options.clock, logger);
  logger.info('JWT tokens', { 'sign-method': settings.method.name, ttl: `${settings.ttlMs / 1000}s`, 'verify-only': tokens.verifyOnly });
  return tokens;
}
