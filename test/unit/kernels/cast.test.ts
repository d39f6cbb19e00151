import { describe, it, expect } from 'vitest';
import { castKernel } from '../../../sim/kernels/cast.js';
import type { DType } from '../../../sim/ir/types.js';
import { HarnessError, runOp } from './_op_harness.js';

function cast(from: DType, to: DType, values: number[]): number[] {
  const r = runOp(castKernel, 'CAST', {}, [{ dtype: from, shape: [values.length] }], [{ dtype: to, shape: [values.length] }]);
  return [...(r.run(values)[0] as Int32Array)];
}

describe('CAST (static_cast, no saturation)', () => {
  it('integer narrowing keeps the low bits; uint32 <-> int32 reinterprets', () => {
    expect(cast('int32', 'int8', [300, -129, 127, -2147483648])).toEqual([44, 127, 127, 0]);
    expect(cast('int32', 'int16', [70000, -32769])).toEqual([4464, 32767]);
    expect(cast('uint32', 'int32', [4294967295, 2147483648, 5])).toEqual([-1, -2147483648, 5]);
    expect(cast('int16', 'uint32', [-1, 7])).toEqual([4294967295, 7]);
    expect(cast('int8', 'int32', [-128, 127])).toEqual([-128, 127]);
    expect(cast('bool', 'int32', [0, 1])).toEqual([0, 1]);
  });

  it('integer -> float32 rounds to nearest even', () => {
    expect(cast('int32', 'float32', [16777217, 16777219, -3])).toEqual([16777216, 16777220, -3]);
    expect(cast('uint32', 'float32', [4294967295])).toEqual([4294967296]);
  });

  it('float32 -> integer truncates; out of range follows x86-64', () => {
    expect(cast('float32', 'int8', [-1.7, 1.7, 200.9, -0.5])).toEqual([-1, 1, -56, 0]);
    expect(cast('float32', 'int32', [3e9, -3e9, NaN, -2147483648, 2147483520])).toEqual([-2147483648, -2147483648, -2147483648, -2147483648, 2147483520]);
    // Through int32: INT32_MIN's low 16 bits are 0.
    expect(cast('float32', 'int16', [40000.5, 1e10])).toEqual([-25536, 0]);
    // Through int64: -1.5 -> -1 -> 0xFFFFFFFF; 4e9 fits; 1e19 is beyond int64 -> 0.
    expect(cast('float32', 'uint32', [-1.5, 4e9, 1e19, 5e9])).toEqual([4294967295, 4000000000, 0, 705032704]);
  });

  it('refuses bool output', () => {
    expect(() => cast('int32', 'bool', [1])).toThrow(HarnessError);
  });
});
