/**
 * The golden real-model cases that carry `tflm_cortex_m4` figures, as samples
 * for the estimate fits (sim/estimate/fit.ts): per model, its op work (from
 * our own parser and counts) and the measured Cortex-M4 instruction counts and
 * TFLM code sizes. Used by scripts/fit-estimates.ts and the estimate tests.
 */
import { loadModel } from '../../lib/load.js';
import type { Model } from '../../sim/ir/types.js';
import type { CodeSizeSample, InstructionSample } from '../../sim/estimate/fit.js';
import { subgraphWork } from '../../sim/estimate/work.js';
import { listGoldenCases, type GoldenCase } from './cases.js';

export interface GoldenM4Case {
  readonly case: GoldenCase;
  readonly model: Model;
  /** meta.json `tflm_cortex_m4`. */
  readonly m4: Record<string, number>;
}

export async function goldenM4Cases(): Promise<GoldenM4Case[]> {
  const out: GoldenM4Case[] = [];
  for (const c of listGoldenCases()) {
    if (c.group !== 'model' || !c.meta.tflm_cortex_m4) continue;
    out.push({ case: c, model: await loadModel(c.modelPath), m4: c.meta.tflm_cortex_m4 });
  }
  return out;
}

export async function goldenSamples(): Promise<{ cases: GoldenM4Case[]; instructions: InstructionSample[]; codeSizes: CodeSizeSample[] }> {
  const cases = await goldenM4Cases();
  return {
    cases,
    instructions: cases.map((c) => ({
      name: c.case.name,
      work: subgraphWork(c.model.subgraphs[0]!),
      reference: c.m4.instructions_reference!,
      cmsisNn: c.m4.instructions_cmsis_nn!,
    })),
    codeSizes: cases.map((c) => ({
      name: c.case.name,
      kinds: Object.keys(c.case.meta.ops),
      reference: c.m4.tflm_code_bytes_reference!,
      cmsisNn: c.m4.tflm_code_bytes_cmsis_nn!,
    })),
  };
}
