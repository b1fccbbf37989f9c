// Original file: /work/main/engine/proto/cairn/internal.proto


export interface DowngradeInfoSetRequest {
  'enabled'?: (boolean);
  'ver'?: (string);
}

export interface DowngradeInfoSetRequest__Output {
  'enabled': (boolean);
  'ver': (string);
}
