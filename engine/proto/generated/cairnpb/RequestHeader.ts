// Original file: /work/main/engine/proto/cairn/internal.proto

import type { Long } from '@grpc/proto-loader';

export interface RequestHeader {
  'ID'?: (number | string | Long);
  'username'?: (string);
  'auth_revision'?: (number | string | Long);
}

export interface RequestHeader__Output {
  'ID': (string);
  'username': (string);
  'auth_revision': (string);
}
