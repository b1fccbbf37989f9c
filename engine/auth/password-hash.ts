// Passwords are kept only as bcrypt hashes, as etcd does. Hashing happens on the member that receives the
// request, before anything is proposed, so the log carries the hash and never the password; checking happens on
// the member that receives an Authenticate call. Both are slow on purpose and run off the Raft apply path.
import bcrypt from 'bcryptjs';

/** etcd's default bcrypt cost (--bcrypt-cost). */
export const bcryptCostDefault = 10;

/** The bcrypt hash of `password` at `cost`. */
export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

/** Whether `password` matches `hash` (false for an empty hash: users without a password cannot log in). */
export async function passwordMatches(password: string, hash: string): Promise<boolean> {
  if (hash === '') return false;
  return bcrypt.compare(password, hash);
}
