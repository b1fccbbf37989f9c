// The three Reflect metadata functions tsyringe (a dependency of @peculiar/x509) checks for when it loads. The
// full reflect-metadata polyfill is not installed; @peculiar/x509 only registers classes and never relies on
// decorator metadata, so a small store keyed by target and property is enough. Installed only when missing.

type MetadataStore = WeakMap<object, Map<string | symbol | undefined, Map<unknown, unknown>>>;

interface ReflectWithMetadata {
  defineMetadata?(key: unknown, value: unknown, target: object, property?: string | symbol): void;
  getOwnMetadata?(key: unknown, target: object, property?: string | symbol): unknown;
  getMetadata?(key: unknown, target: object, property?: string | symbol): unknown;
}

/** Installs Reflect.defineMetadata/getOwnMetadata/getMetadata unless a polyfill already provides them. */
export function installReflectMetadata(): void {
  const reflect = Reflect as unknown as ReflectWithMetadata;
  if (typeof reflect.getMetadata === 'function') return;
  const store: MetadataStore = new WeakMap();
  const entries = (target: object, property: string | symbol | undefined, create: boolean): Map<unknown, unknown> | undefined => {
    let byProperty = store.get(target);
    if (!byProperty && create) store.set(target, (byProperty = new Map()));
    let values = byProperty?.get(property);
    if (!values && create && byProperty) byProperty.set(property, (values = new Map()));
    return values;
  };
  reflect.defineMetadata = (key, value, target, property) => void entries(target, property, true)!.set(key, value);
  reflect.getOwnMetadata = (key, target, property) => entries(target, property, false)?.get(key);
  reflect.getMetadata = (key, target, property) => {
    // Metadata is inherited along the prototype chain, as in reflect-metadata.
    for (let current: object | null = target; current !== null; current = Object.getPrototypeOf(current) as object | null) {
      const values = entries(current, property, false);
      if (values?.has(key)) return values.get(key);
    }
    return undefined;
  };
}

installReflectMetadata();
