// A Proxy of an object with some members replaced and the rest passed through, bound to the object
// itself (its private fields and its EventTarget need `this` to be the real object). How the model wraps
// libp2p's transports, upgraders and raw connections without forking them.

export function override<T extends object>(target: T, own: Partial<Record<keyof T, unknown>>): T {
  const replaced = own as Record<PropertyKey, unknown>
  const bound = new Map<PropertyKey, { original: unknown; fn: unknown }>()
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(replaced, prop)) return replaced[prop]
      const value: unknown = Reflect.get(t, prop, t)
      // own function-valued fields (a logger with members) are data, not methods: pass them as they are
      if (typeof value !== 'function' || Object.hasOwn(t, prop)) return value
      const hit = bound.get(prop)
      if (hit !== undefined && hit.original === value) return hit.fn
      const fn = (value as (...args: unknown[]) => unknown).bind(t)
      bound.set(prop, { original: value, fn })
      return fn
    },
    set(t, prop, value) {
      return Reflect.set(t, prop, value, t)
    },
  })
}
