/** Why WebGPU cannot run here, or undefined when the browser exposes it. */
export function webgpuUnavailable(): string | undefined {
  if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) {
    return 'WebGPU is not available here (no navigator.gpu): it needs a browser that has it (Chrome or Edge 113+, Safari 26+, Firefox 141+ on Windows), in a secure context (https or localhost). Use ts, or tfjs-webgl in a browser.';
  }
  return undefined;
}
