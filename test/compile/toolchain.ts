/**
 * Firmware tests need host and cross compilers and QEMU. In CI (CI=true) a
 * missing tool is a failure naming the apt packages (.ci/run installs them);
 * on a developer machine the tests are skipped with a warning.
 */
import { findOnPath, APT_PACKAGES } from '../../generator/toolchain/exec.js';

export function requireToolchain(tools: readonly string[]): boolean {
  const missing = tools.filter((t) => !findOnPath(t));
  if (missing.length === 0) return true;
  const pkgs = [...new Set(missing.flatMap((t) => APT_PACKAGES[t] ?? [t]))].join(' ');
  const msg = `missing ${missing.join(', ')}: apt-get install ${pkgs}`;
  if (process.env.CI) throw new Error(`firmware tests need their toolchain in CI: ${msg}`);
  console.warn(`skipped: ${msg}`);
  return false;
}
