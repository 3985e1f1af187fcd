/**
 * Reads glTF accessors as plain float arrays, undoing normalised integer encodings, so the
 * flattener never has to care how an exporter packed a vertex attribute.
 */
import type { Accessor } from '@gltf-transform/core';

/** The accessor's elements as floats (normalised integers mapped to [0,1] or [-1,1]). */
export function readFloats(acc: Accessor): Float32Array {
  const arr = acc.getArray();
  if (!arr) return new Float32Array(0);
  if (arr instanceof Float32Array) return arr;
  const out = new Float32Array(arr.length);
  if (!acc.getNormalized()) {
    for (let i = 0; i < arr.length; i++) out[i] = arr[i]!;
    return out;
  }
  let scale = 1;
  let signed = false;
  if (arr instanceof Uint8Array) scale = 255;
  else if (arr instanceof Uint16Array) scale = 65535;
  else if (arr instanceof Uint32Array) scale = 4294967295;
  else if (arr instanceof Int8Array) {
    scale = 127;
    signed = true;
  } else if (arr instanceof Int16Array) {
    scale = 32767;
    signed = true;
  }
  for (let i = 0; i < arr.length; i++) out[i] = signed ? Math.max(arr[i]! / scale, -1) : arr[i]! / scale;
  return out;
}

/** The accessor's elements as unsigned integers (indices, joint numbers). */
export function readUints(acc: Accessor): Uint32Array {
  const arr = acc.getArray();
  if (!arr) return new Uint32Array(0);
  if (arr instanceof Uint32Array) return arr;
  const out = new Uint32Array(arr.length);
  for (let i = 0; i < arr.length; i++) out[i] = arr[i]!;
  return out;
}
