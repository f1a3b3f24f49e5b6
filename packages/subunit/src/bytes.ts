/** A copy of b[start, end), even when b is a Buffer (whose slice() is a view of the same memory). */
export function copyOf(b: Uint8Array, start = 0, end = b.length): Uint8Array {
  return Uint8Array.prototype.slice.call(b, start, end)
}
