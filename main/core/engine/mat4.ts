/**
 * The few 4x4 matrix and quaternion operations the flattener needs, column-major as in
 * glTF. Plain number arrays: small, allocation-light, no dependency.
 */

/** A column-major 4x4 matrix. */
export type M4 = number[];

/** The identity matrix. */
export function identity(): M4 {
  return [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
}

/** a × b (apply b first, then a). */
export function multiply(a: readonly number[], b: readonly number[]): M4 {
  const out = new Array<number>(16);
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 4; r++) {
      out[c * 4 + r] = a[r]! * b[c * 4]! + a[4 + r]! * b[c * 4 + 1]! + a[8 + r]! * b[c * 4 + 2]! + a[12 + r]! * b[c * 4 + 3]!;
    }
  }
  return out;
}

/** The matrix of translation × rotation (unit quaternion xyzw) × scale. */
export function fromTRS(t: readonly number[], q: readonly number[], s: readonly number[]): M4 {
  const [x, y, z, w] = q as [number, number, number, number];
  const x2 = x + x, y2 = y + y, z2 = z + z;
  const xx = x * x2, xy = x * y2, xz = x * z2, yy = y * y2, yz = y * z2, zz = z * z2;
  const wx = w * x2, wy = w * y2, wz = w * z2;
  const [sx, sy, sz] = s as [number, number, number];
  return [
    (1 - (yy + zz)) * sx, (xy + wz) * sx, (xz - wy) * sx, 0,
    (xy - wz) * sy, (1 - (xx + zz)) * sy, (yz + wx) * sy, 0,
    (xz + wy) * sz, (yz - wx) * sz, (1 - (xx + yy)) * sz, 0,
    t[0]!, t[1]!, t[2]!, 1,
  ];
}

/** m × (x, y, z, 1). */
export function transformPoint(m: readonly number[], x: number, y: number, z: number): [number, number, number] {
  return [m[0]! * x + m[4]! * y + m[8]! * z + m[12]!, m[1]! * x + m[5]! * y + m[9]! * z + m[13]!, m[2]! * x + m[6]! * y + m[10]! * z + m[14]!];
}

/** m × (x, y, z, 0). */
export function transformDir(m: readonly number[], x: number, y: number, z: number): [number, number, number] {
  return [m[0]! * x + m[4]! * y + m[8]! * z, m[1]! * x + m[5]! * y + m[9]! * z, m[2]! * x + m[6]! * y + m[10]! * z];
}

/** Determinant of the upper 3x3 (negative when the transform mirrors). */
export function det3(m: readonly number[]): number {
  return (
    m[0]! * (m[5]! * m[10]! - m[9]! * m[6]!) -
    m[4]! * (m[1]! * m[10]! - m[9]! * m[2]!) +
    m[8]! * (m[1]! * m[6]! - m[5]! * m[2]!)
  );
}

/**
 * The normal matrix (inverse transpose of the upper 3x3) as a 4x4 with no translation,
 * scaled by the determinant's sign only: callers normalise, so the scale does not matter.
 */
export function normalMatrix(m: readonly number[]): M4 {
  // Cofactor matrix = det × inverse-transpose; normals are renormalised afterwards.
  const a = m[0]!, b = m[1]!, c = m[2]!, d = m[4]!, e = m[5]!, f = m[6]!, g = m[8]!, h = m[9]!, i = m[10]!;
  const sign = det3(m) < 0 ? -1 : 1;
  return [
    sign * (e * i - f * h), sign * (f * g - d * i), sign * (d * h - e * g), 0,
    sign * (c * h - b * i), sign * (a * i - c * g), sign * (b * g - a * h), 0,
    sign * (b * f - c * e), sign * (c * d - a * f), sign * (a * e - b * d), 0,
    0, 0, 0, 1,
  ];
}

/** Normalises a 3-vector in place-free form; a zero vector stays zero. */
export function normalize3(x: number, y: number, z: number): [number, number, number] {
  const l = Math.hypot(x, y, z);
  return l > 0 ? [x / l, y / l, z / l] : [0, 0, 0];
}

/** Spherical interpolation of unit quaternions (xyzw), taking the short way round. */
export function slerp(a: readonly number[], b: readonly number[], t: number): [number, number, number, number] {
  let [bx, by, bz, bw] = b as [number, number, number, number];
  let cos = a[0]! * bx + a[1]! * by + a[2]! * bz + a[3]! * bw;
  if (cos < 0) {
    cos = -cos;
    bx = -bx;
    by = -by;
    bz = -bz;
    bw = -bw;
  }
  let k0: number, k1: number;
  if (cos > 0.9995) {
    k0 = 1 - t;
    k1 = t;
  } else {
    const theta = Math.acos(cos);
    const sin = Math.sin(theta);
    k0 = Math.sin((1 - t) * theta) / sin;
    k1 = Math.sin(t * theta) / sin;
  }
  const q: [number, number, number, number] = [k0 * a[0]! + k1 * bx, k0 * a[1]! + k1 * by, k0 * a[2]! + k1 * bz, k0 * a[3]! + k1 * bw];
  const l = Math.hypot(...q) || 1;
  return [q[0] / l, q[1] / l, q[2] / l, q[3] / l];
}
