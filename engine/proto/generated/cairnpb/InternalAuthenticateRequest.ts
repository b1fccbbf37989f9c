// Original file: /work/main/engine/proto/cairn/internal.proto


export interface InternalAuthenticateRequest {
  'name'?: (string);
  'password'?: (string);
  'simple_token'?: (string);
}

export interface InternalAuthenticateRequest__Output {
  'name': (string);
  'password': (string);
  'simple_token': (string);
}
