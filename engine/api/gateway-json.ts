// JSON <-> protobuf object conversion for the gateway, following grpc-gateway as etcd configures it: proto
// field names (lowerCamelCase names are accepted on input too), 64-bit integers as strings, bytes as base64,
// enums by name, default values omitted.
import type protobuf from 'protobufjs';
import { protoConversionOptions } from '../proto/load.ts';

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** Renames lowerCamelCase keys to the proto field names, recursively through message fields. */
function normalizeKeys(type: protobuf.Type, json: unknown): unknown {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return json;
  const byJsonName = new Map<string, protobuf.Field>();
  for (const field of type.fieldsArray) {
    byJsonName.set(field.name, field);
    byJsonName.set(camelCase(field.name), field);
  }
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const field = byJsonName.get(key);
    // grpc-gateway (as etcd configures it) ignores fields it does not know.
    if (!field) continue;
    const fieldType = field.resolvedType;
    const convert = (item: unknown) => (fieldType && 'fieldsArray' in fieldType ? normalizeKeys(fieldType as protobuf.Type, item) : item);
    result[field.name] = Array.isArray(value) ? value.map(convert) : convert(value);
  }
  return result;
}

/** Parses a gateway request body into the same object shape grpc-js hands to handlers. */
export function requestFromJson<T>(type: protobuf.Type, json: unknown): T {
  const message = type.fromObject(normalizeKeys(type, json ?? {}) as Record<string, unknown>);
  return type.toObject(message, protoConversionOptions) as T;
}

function isDefaultValue(field: protobuf.Field, value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (value === false || value === 0 || value === '0' || value === '') return true;
  const enumType = field.resolvedType;
  if (enumType && 'valuesById' in enumType) return (enumType as protobuf.Enum).values[value as string] === 0;
  return false;
}

/** Drops fields holding proto3 default values, as grpc-gateway does (it does not emit defaults). */
function stripDefaults(type: protobuf.Type, object: Record<string, unknown>): Record<string, unknown> {
  for (const field of type.fieldsArray) {
    const value = object[field.name];
    if (value === undefined) continue;
    if (isDefaultValue(field, value)) {
      delete object[field.name];
      continue;
    }
    const nested = field.resolvedType;
    if (nested && 'fieldsArray' in nested) {
      const strip = (item: unknown) => stripDefaults(nested as protobuf.Type, item as Record<string, unknown>);
      object[field.name] = Array.isArray(value) ? value.map(strip) : strip(value);
    }
  }
  return object;
}

/** Renders a handler's response object as gateway JSON. */
export function responseToJson(type: protobuf.Type, response: object): Record<string, unknown> {
  const message = type.fromObject(response as Record<string, unknown>);
  const object = type.toObject(message, { longs: String, enums: String, bytes: String, defaults: false, json: true });
  return stripDefaults(type, object);
}
