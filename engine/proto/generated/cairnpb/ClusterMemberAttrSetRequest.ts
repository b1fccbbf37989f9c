// Original file: /work/main/engine/proto/cairn/internal.proto

import type { MemberAttributes as _cairnpb_MemberAttributes, MemberAttributes__Output as _cairnpb_MemberAttributes__Output } from '../cairnpb/MemberAttributes.ts';
import type { Long } from '@grpc/proto-loader';

export interface ClusterMemberAttrSetRequest {
  'member_ID'?: (number | string | Long);
  'member_attributes'?: (_cairnpb_MemberAttributes | null);
}

export interface ClusterMemberAttrSetRequest__Output {
  'member_ID': (string);
  'member_attributes': (_cairnpb_MemberAttributes__Output | null);
}
