// How the MVCC store tells the lessor which keys hang on which lease (etcd's le.Attach / le.Detach, called
// from the write transaction). The store calls these only after the backend transaction commits, in the order
// the changes happened, so the lessor never sees a change that was rolled back. Whether a lease exists is
// checked by the server before it writes; here a lease is just a number.

/** The lessor's side of key attachments. */
export interface LeaseAttachments {
  /** `key` now carries lease `leaseId` (a put with a lease, or restore on open). */
  attach(leaseId: bigint, key: Uint8Array): void;
  /**
   * `key` no longer carries lease `leaseId` (overwritten or deleted). May name a lease the same backend
   * transaction revoked; the lessor ignores unknown leases here.
   */
  detach(leaseId: bigint, key: Uint8Array): void;
}

/** Attachments that go nowhere, for a store without a lessor (tests, tools). */
export const noLeaseAttachments: LeaseAttachments = {
  attach: () => {},
  detach: () => {},
};
