/// <reference types="node" />
import * as tf from '@tensorflow/tfjs-core';
import {
  BackendUnavailableError,
  DisposedMatrixError,
  DTypeError,
  defineBackends,
  ForeignMatrixError,
  loadBackend,
} from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { createBackend as createCpu } from '../src/cpu.js';
import { createTfjsBackend } from '../src/create.js';
import { createBackend as createWasm } from '../src/wasm.js';
import { createBackend as createWebgl } from '../src/webgl.js';
import { createBackend as createWebgpu, descriptor as webgpu } from '../src/webgpu.js';

const backends = defineBackends({
  'tfjs-cpu': () => import('../src/cpu.js'),
  'tfjs-wasm': () => import('../src/wasm.js'),
  'tfjs-webgl': () => import('../src/webgl.js'),
  'tfjs-webgpu': () => import('../src/webgpu.js'),
});

describe('creating a tfjs backend', () => {
  it('declares float32 only and rejects float64 with the contract error', async () => {
    for (const create of [createCpu, createWasm, createWebgl, createWebgpu]) {
      await expect(create({ dtype: 'float64' })).rejects.toThrow(DTypeError);
    }
    await expect(createCpu({ dtype: 'float64' })).rejects.toThrow(
      "Backend 'tfjs-cpu' does not support float64; it supports float32.",
    );
    const backend = await createCpu();
    expect([backend.dtype, backend.dtypes]).toEqual(['float32', ['float32']]);
  });

  it('says that WebGL needs a browser, and what to use in Node', async () => {
    const error = await createWebgl().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(
      /WebGL needs a browser page or worker .*: in Node, use tfjs-cpu or tfjs-wasm\.$/,
    );
  });

  it('says that WebGPU needs a browser that exposes it, and what to use instead', async () => {
    const reason =
      'WebGPU needs a browser that exposes it as navigator.gpu (TensorFlow.js registers its WebGPU backend only there): in Node, use tfjs-cpu or tfjs-wasm; in a browser without WebGPU, tfjs-webgl.';
    expect(webgpu.check()).toBe(reason);
    const error = await createWebgpu().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toBe(
      `tfjs-webgpu: TensorFlow.js has no 'webgpu' backend registered here. ${reason}`,
    );
    const loaded = await loadBackend('tfjs-webgpu', backends).catch((e: unknown) => e);
    expect(loaded).toBeInstanceOf(BackendUnavailableError);
    expect((loaded as Error).message).toBe(`Backend 'tfjs-webgpu' cannot run here: ${reason}`);
  });

  it('names a tfjs backend that no package registered', async () => {
    await expect(createTfjsBackend('webgpu')).rejects.toThrow(
      "tfjs-webgpu: TensorFlow.js has no 'webgpu' backend registered here. Import the package that registers it (for example @tensorflow/tfjs-backend-webgpu)",
    );
  });

  it('loads by name through loadBackend', async () => {
    const cpu = await loadBackend('tfjs-cpu', backends);
    const wasm = await loadBackend({ backend: 'tfjs-wasm' }, backends);
    expect([cpu.name, wasm.name]).toEqual(['tfjs-cpu', 'tfjs-wasm']);
    await expect(loadBackend({ backend: 'tfjs-cpu', dtype: 'float64' }, backends)).rejects.toThrow(
      "Backend 'tfjs-cpu' computes in float32, not float64",
    );
    await expect(loadBackend('tfjs-webgl', backends)).rejects.toThrow(
      "Backend 'tfjs-webgl' cannot run here: WebGL needs a browser page or worker",
    );
  });

  it('describes each entry without importing TensorFlow.js, and names what to install', async () => {
    const packages = Object.fromEntries(
      await Promise.all(
        backends.names.map(async (name) => {
          const descriptor = await backends.describe(name);
          expect([descriptor.name, descriptor.dtypes]).toEqual([name, ['float32']]);
          return [name, descriptor.packages];
        }),
      ),
    );
    const tfjs = ['@twostep/backend-tfjs', '@tensorflow/tfjs-core'];
    expect(packages).toEqual({
      'tfjs-cpu': [...tfjs, '@tensorflow/tfjs-backend-cpu'],
      'tfjs-wasm': [...tfjs, '@tensorflow/tfjs-backend-wasm'],
      'tfjs-webgl': [...tfjs, '@tensorflow/tfjs-backend-webgl'],
      'tfjs-webgpu': [...tfjs, '@tensorflow/tfjs-backend-webgpu'],
    });
    // The entries' own source imports no TensorFlow.js module at the top: `create` does.
    const { readFile } = await import('node:fs/promises');
    for (const entry of ['cpu', 'wasm', 'webgl', 'webgpu']) {
      const source = await readFile(new URL(`../src/${entry}.ts`, import.meta.url), 'utf8');
      const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
      expect(
        imports.every((m) => m === '@twostep/core/backend' || m!.startsWith('./')),
        entry,
      ).toBe(true);
      expect(source, entry).toMatch(new RegExp(`await import\\('\\./tfjs-${entry}\\.js'\\)`));
    }
  });
});

describe('instances side by side', () => {
  it('computes each op on its own tfjs backend', async () => {
    const cpu = await createCpu();
    const wasm = await createWasm();
    expect(tf.getBackend()).toBe('wasm');
    const a = cpu.fromArray([1, 2, 3, 4], 2, 2);
    expect(tf.getBackend()).toBe('cpu');
    const b = wasm.fromArray([1, 0, 0, 1], 2, 2);
    expect(tf.getBackend()).toBe('wasm');
    const product = cpu.matMul(a, a);
    expect(tf.getBackend()).toBe('cpu');
    expect([...(await cpu.read(product))]).toEqual([7, 10, 15, 22]);
    expect([...(wasm.readSync?.(b) ?? [])]).toEqual([1, 0, 0, 1]);
    for (const m of [a, product]) cpu.dispose(m);
    wasm.dispose(b);
  });

  it('rejects a matrix of another instance in every op, read and readSync included', async () => {
    const cpu = await createCpu();
    for (const other of [await createCpu(), await createWasm()]) {
      const x = other.fromArray([1, 2, 3, 4], 2, 2);
      expect(x.backend).toBe(other);
      const own = cpu.fill(2, 2, 1);
      const before = cpu.memory();
      for (const call of [
        () => cpu.copy(x),
        () => cpu.readSync?.(x),
        () => cpu.matMul(own, x),
        () => cpu.add(x, own),
        () => cpu.concatRows(own, x),
        () => cpu.adam(own, own, own, x, { stepSize: 1, beta1: 0.9, beta2: 0.9, epsilon: 1 }),
      ]) {
        expect(call).toThrow(ForeignMatrixError);
      }
      await expect(cpu.read(x)).rejects.toThrow(
        `read: Matrix(2×2, float32) was created by another ${other.name} instance, not by this tfjs-cpu instance.`,
      );
      expect(cpu.memory()).toEqual(before);
      cpu.dispose(own);
      other.dispose(x);
    }
  });

  it('gives up a disposed matrix tensor with the contract error', async () => {
    const backend = await createCpu();
    const m = backend.fromArray([1], 1, 1);
    backend.dispose(m);
    backend.dispose(m);
    expect(m.isDisposed).toBe(true);
    expect(() => m.tensor).toThrow(DisposedMatrixError);
    await expect(backend.read(m)).rejects.toThrow(DisposedMatrixError);
  });
});
