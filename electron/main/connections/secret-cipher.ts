// How connection secrets are protected on disk. In Electron, safeStorage encrypts with the OS keychain (macOS
// Keychain, Windows DPAPI, libsecret/kwallet on Linux); elsewhere (browser mode, or Linux without a keyring)
// there is no cipher, and the store refuses to write a secret unless the user agreed to keep it in clear.
import type { SecretStorageStatus } from '../../common/contract.ts';

/** Encrypts and decrypts secrets; `available` is false when there is no key to encrypt with. */
export interface SecretCipher {
  readonly available: boolean;
  /** What to tell the user when secrets cannot be encrypted. */
  readonly unavailableReason: string;
  /** Ciphertext as base64. */
  encrypt(plain: string): string;
  decrypt(cipherText: string): string;
}

/** The part of Electron's safeStorage the cipher uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/** A cipher over Electron's safeStorage. */
export function safeStorageCipher(safeStorage: SafeStorageLike): SecretCipher {
  const available = safeStorage.isEncryptionAvailable() && safeStorage.getSelectedStorageBackend?.() !== 'basic_text';
  return {
    available,
    unavailableReason: available ? '' : 'The system keychain is not available (on Linux: no Secret Service or KWallet is running), so passwords and private keys cannot be encrypted.',
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (cipherText) => safeStorage.decryptString(Buffer.from(cipherText, 'base64')),
  };
}

/** No cipher: browser mode and plain Node. */
export function noCipher(reason: string): SecretCipher {
  const refuse = (): never => {
    throw new Error(reason);
  };
  return { available: false, unavailableReason: reason, encrypt: refuse, decrypt: refuse };
}

/** The status shown to the GUI. */
export function secretStorageStatus(cipher: SecretCipher): SecretStorageStatus {
  return cipher.available
    ? { encrypted: true, backend: 'safe-storage', warning: null }
    : { encrypted: false, backend: 'none', warning: `${cipher.unavailableReason} Saving a secret stores it unencrypted in Cairn's data folder, readable by anyone who can read your files.` };
}
