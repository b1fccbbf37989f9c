// Original file: /work/main/engine/proto/cairn/internal.proto


export interface MemberAttributes {
  'name'?: (string);
  'client_urls'?: (string)[];
}

export interface MemberAttributes__Output {
  'name': (string);
  'client_urls': (string)[];
}
