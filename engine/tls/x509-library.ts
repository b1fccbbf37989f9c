// @peculiar/x509, loaded on first use: with the Reflect metadata polyfill its tsyringe registry needs first, it
// takes 80-90 ms of a member's start, and only CRL files, the peer SAN check and auto-TLS use it.
import { createRequire } from 'node:module';
import type * as X509 from '@peculiar/x509';

const require = createRequire(import.meta.url);
let loaded: typeof X509 | undefined;

/** The @peculiar/x509 module. */
export function x509Library(): typeof X509 {
  if (loaded === undefined) {
    require('reflect-metadata');
    loaded = require('@peculiar/x509') as typeof X509;
  }
  return loaded;
}
