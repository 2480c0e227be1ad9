/**
 * The bench page: the twostep trainers on the browser's backends, one run per call of
 * `globalThis.bench.run` (the runner opens a fresh page for each), on the same workloads, data
 * and initial weights as the Node bench (../src/fit.ts, ../src/samples.ts).
 */
import { type Backend, defineBackends, loadBackend } from '@twostep/core';
import { decodeMnist, MNIST_FILE } from '@twostep/datasets/mnist';
import {
  type BenchPage,
  BROWSER_TRAINERS,
  type BrowserTrainer,
  type PageEnvironment,
} from '../src/browser.js';
import { fit } from '../src/fit.js';
import type { WorkloadName } from '../src/protocol.js';
import { workloadSamples } from '../src/samples.js';
import { workload } from '../src/workloads.js';

const BACKENDS = defineBackends({
  ts: () => import('@twostep/backend-ts'),
  webgpu: () => import('@twostep/backend-webgpu'),
  'tfjs-webgpu': () => import('@twostep/backend-tfjs/webgpu'),
  'tfjs-webgl': () => import('@twostep/backend-tfjs/webgl'),
});

async function digits() {
  const response = await fetch(MNIST_FILE);
  if (!response.ok) throw new Error(`${MNIST_FILE}: HTTP ${response.status}`);
  return decodeMnist(await response.arrayBuffer());
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function webgpu(): Promise<PageEnvironment['webgpu']> {
  if (!('gpu' in navigator)) return { unavailable: 'no navigator.gpu' };
  const adapter = await navigator.gpu.requestAdapter().catch(() => null);
  if (!adapter) return { unavailable: 'requestAdapter() gave no adapter' };
  const { vendor, architecture, description } = adapter.info;
  return { vendor, architecture, description };
}

function webgl(): PageEnvironment['webgl'] {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return { unavailable: 'no WebGL2 context' };
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return { renderer: String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) };
}

const bench: BenchPage = {
  async environment() {
    return { userAgent: navigator.userAgent, webgpu: await webgpu(), webgl: webgl() };
  },

  async run(trainer: BrowserTrainer, name: WorkloadName, quick: boolean) {
    const w = workload(name, quick);
    const data = workloadSamples(await digits(), w);
    let backend: Backend;
    try {
      backend = await loadBackend(BROWSER_TRAINERS[trainer], BACKENDS);
    } catch (error) {
      if ((error as Error).name === 'BackendUnavailableError')
        return { unavailable: reason(error) };
      throw error;
    }
    return { result: await fit(trainer, backend, w, data) };
  },
};

Object.assign(globalThis, { bench });
document.title = 'twostep bench: ready';
