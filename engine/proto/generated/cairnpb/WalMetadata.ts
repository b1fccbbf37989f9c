// Original file: /work/main/engine/proto/cairn/internal.proto

import type { Long } from '@grpc/proto-loader';

export interface WalMetadata {
  'member_ID'?: (number | string | Long);
  'cluster_ID'?: (number | string | Long);
}

export interface WalMetadata__Output {
  'member_ID': (string);
  'cluster_ID': (string);
}
