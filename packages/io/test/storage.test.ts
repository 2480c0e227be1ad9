/**
 * saveModel/loadModel in Node: files in each format (paths and file:// URLs), written whole or
 * not at all; http(s) through an injected fetch, with its status and size checked; and the
 * errors that name the URL and the fix.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigError,
  type LayerActivation,
  ModelFormatError,
  Network,
  Random,
  ResourceLimitError,
  serialize,
} from '@twostep/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toLayers } from '../src/layers.js';
import { toOnnx } from '../src/onnx.js';
import { loadModel, StorageError, saveModel } from '../src/storage.js';

/** The module the package reaches through process.getBuiltinModule, to make calls fail. */
const fs = process.getBuiltinModule('node:fs/promises');

const folders: string[] = [];
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'twostep-io-'));
  folders.push(dir);
  return dir;
}
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function network(architecture: number[], activations: LayerActivation[], bias = true, seed = 1) {
  const net = Network.create({ architecture, activations, bias });
  const random = new Random(seed);
  net.setWeights(net.getWeights().map((w) => w.map((row) => row.map(() => random.normal()))));
  return net;
}

const net = network([4, 5, 3], ['tanh', { name: 'leakyRelu', alpha: 0.1 }]);
const float32 = (n: Network) => n.getWeights().map((w) => w.map((row) => row.map(Math.fround)));

/** The error `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

describe('files', () => {
  it('twostep (.json): the same network, from a path and from a file:// URL', async () => {
    const dir = await tempDir();
    const path = join(dir, 'models', 'mnist.json');
    const result = await saveModel(net, path);
    expect(result).toEqual({ format: 'twostep', written: [path], bytes: serialize(net).length });
    expect(await readFile(path, 'utf8')).toBe(serialize(net));
    expect(serialize(await loadModel(path))).toBe(serialize(net));
    expect(serialize(await loadModel(pathToFileURL(path)))).toBe(serialize(net));
    expect(serialize(await loadModel(pathToFileURL(path).href))).toBe(serialize(net));
  });

  it('ONNX (.onnx): the bytes of toOnnx, read back as float32', async () => {
    const dir = await tempDir();
    const url = pathToFileURL(join(dir, 'mnist.onnx')).href;
    const { format, written } = await saveModel(net, url);
    expect(format).toBe('onnx');
    expect(new Uint8Array(await readFile(written[0]!))).toEqual(toOnnx(net));
    const back = await loadModel(url);
    expect(back.activationSpecs).toEqual(net.activationSpecs);
    expect(back.getWeights()).toEqual(float32(net));
    // The content tells the format when the name does not.
    await saveModel(net, join(dir, 'model.bin'), { format: 'onnx', onnx: { dtype: 'float64' } });
    expect((await loadModel(join(dir, 'model.bin'))).getWeights()).toEqual(net.getWeights());
  });

  it('TensorFlow.js Layers: a folder gets model.json + weights.bin; name.json gets name.weights.bin', async () => {
    const dir = await tempDir();
    const folder = `${join(dir, 'mnist-tfjs')}/`;
    const saved = await saveModel(net, folder);
    expect(saved.written).toEqual([join(folder, 'weights.bin'), join(folder, 'model.json')]);
    const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    for (const url of [folder, join(dir, 'mnist-tfjs'), join(folder, 'model.json')]) {
      expect((await loadModel(url)).getWeights()).toEqual(float32(net));
    }

    const named = join(dir, 'digits.json');
    await saveModel(net, named, { format: 'tfjs-layers' });
    expect((await readdir(dir)).sort()).toEqual([
      'digits.json',
      'digits.weights.bin',
      'mnist-tfjs',
    ]);
    expect((await loadModel(named)).activationSpecs).toEqual(net.activationSpecs);
    await saveModel(net, pathToFileURL(join(dir, 'other')), { format: 'tfjs-layers' });
    expect((await readdir(join(dir, 'other'))).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('reads a Layers model as tfjs writes it (./ paths, several weights files)', async () => {
    const dir = await tempDir();
    const { modelJson, weightData } = toLayers(net);
    const bytes = new Uint8Array(weightData);
    modelJson.weightsManifest[0]!.paths = ['./group1-shard1of2.bin', 'group1-shard2of2.bin'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
    await writeFile(join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, 40));
    await writeFile(join(dir, 'group1-shard2of2.bin'), bytes.subarray(40));
    expect((await loadModel(dir)).getWeights()).toEqual(float32(net));
    // A weights path that leaves the folder is refused before anything is read there.
    modelJson.weightsManifest[0]!.paths = ['../secret.bin'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
    const error = await rejection(loadModel(dir));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toBe(
      `loadModel: ${dir} is not a valid TensorFlow.js Layers model: weightsManifest[0].paths[0] must be a file name beside model.json, such as "weights.bin"; it is "../secret.bin". Save the model again, or load another one.`,
    );
  });

  it('a failed write leaves the old file as it was, and no temporary file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'm.json');
    await saveModel(net, path);
    vi.spyOn(fs, 'rename').mockRejectedValueOnce(
      Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' }),
    );
    const error = await rejection(saveModel(network([2, 2], ['relu']), path));
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toBe(
      `saveModel: cannot write ${path} (EIO: i/o error, rename; check the path).`,
    );
    expect((error as StorageError).url).toBe(path);
    expect((error as StorageError).kind).toBe('failed');
    expect(await readdir(dir)).toEqual(['m.json']);
    expect(await readFile(path, 'utf8')).toBe(serialize(net));
  });

  it('a folder that cannot be written names the code, the place and the fix', async () => {
    const dir = await tempDir();
    const path = join(dir, 'm.json');
    vi.spyOn(fs, 'open').mockRejectedValueOnce(
      Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', path: dir }),
    );
    expect((await rejection(saveModel(net, path))).message).toBe(
      `saveModel: cannot write ${path} (EACCES at ${dir}: no permission to write there; choose a folder you can write, or change its permissions).`,
    );
    vi.spyOn(fs, 'open').mockRejectedValueOnce(
      // At the temporary file: the message names the file saved.
      Object.assign(new Error('EROFS: read-only file system'), {
        code: 'EROFS',
        path: join(dir, `.m.json.${process.pid}.0123abcd.tmp`),
      }),
    );
    expect((await rejection(saveModel(net, path))).message).toBe(
      `saveModel: cannot write ${path} (EROFS at ${path}: the file system is read-only; save to a writable one).`,
    );
    // A file where a folder must be.
    await writeFile(join(dir, 'file'), 'x');
    expect((await rejection(saveModel(net, join(dir, 'file', 'm.json')))).message).toBe(
      `saveModel: cannot write ${join(dir, 'file', 'm.json')} (ENOTDIR at ${join(dir, 'file')}: a file is in the way where a folder must be; choose another path).`,
    );
    expect(await readdir(dir)).toEqual(['file']);
  });

  it('a missing file, a name without a format, a damaged file, a file over maxBytes', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'nope.json');
    const error = await rejection(loadModel(missing));
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toBe(
      `loadModel: cannot read ${missing} (${missing}: ENOENT: there is no such file; check the path, or save a model there first with saveModel).`,
    );
    expect((error as StorageError).kind).toBe('missing');
    expect(await rejection(saveModel(net, join(dir, 'model')))).toEqual(
      new ConfigError(
        `saveModel: cannot tell the format of ${join(dir, 'model')} from its name; end it in .json (twostep's own format) or .onnx, end it with / for a TensorFlow.js Layers folder, or pass { format: 'twostep' | 'onnx' | 'tfjs-layers' }.`,
      ),
    );
    const damaged = join(dir, 'damaged.json');
    const file = JSON.parse(serialize(net));
    file.weights[1][0][2] = '0.5';
    await writeFile(damaged, JSON.stringify(file));
    const bad = await rejection(loadModel(damaged));
    expect(bad).toBeInstanceOf(ModelFormatError);
    expect(bad.message).toBe(
      `loadModel: ${damaged} is not a valid twostep model file: weights[1][0][2] must be a finite number; it is "0.5". Save the model again, or load another one.`,
    );
    expect((bad as ModelFormatError).path).toBe('weights[1][0][2]');
    await writeFile(damaged, 'not json');
    expect((await rejection(loadModel(damaged))).message).toMatch(
      /^loadModel: .*damaged\.json is not a valid twostep model file: the file is not valid JSON \(.*\); the file is damaged or of another kind\. Save the model again, or load another one\.$/,
    );
    const path = join(dir, 'm.json');
    await saveModel(net, path);
    const size = serialize(net).length;
    const over = await rejection(loadModel(path, { maxBytes: 100 }));
    expect(over).toBeInstanceOf(ResourceLimitError);
    expect(over.message).toBe(
      `loadModel: reading ${path} comes to ${size.toLocaleString('en-US')} bytes, over the limit of 100 (maxBytes). Load a smaller model, or raise the limit: maxBytes: ${size.toLocaleString('en-US')} in loadModel's options.`,
    );
    await expect(loadModel(path, { maxParameters: 10 })).rejects.toThrow(ResourceLimitError);
    expect((await rejection(loadModel('/dev/null'))).message).toBe(
      'loadModel: /dev/null (/dev/null) is not a file but a device, pipe or socket; name a model file.',
    );
  });

  it('unknown schemes, stores of the browser, saving over HTTP and bad options', async () => {
    expect(await rejection(loadModel('ftp://example.com/m.json'))).toEqual(
      new ConfigError(
        'loadModel: unknown scheme "ftp:" in ftp://example.com/m.json; use a path, or a URL of file://, https://, http://, indexeddb:// or localstorage:// (loading only for http(s)).',
      ),
    );
    const idb = await rejection(saveModel(net, 'indexeddb://mnist'));
    expect(idb).toBeInstanceOf(StorageError);
    expect(idb.message).toBe(
      "saveModel: indexeddb://mnist needs IndexedDB, which this runtime does not have (it is a browser's); in Node, use a file path or a file:// URL.",
    );
    expect((idb as StorageError).kind).toBe('unavailable');
    expect((await rejection(loadModel('localstorage://mnist'))).message).toBe(
      "loadModel: localstorage://mnist needs localStorage, which this runtime does not have (it is a browser's); in Node, use a file path or a file:// URL.",
    );
    expect((await rejection(saveModel(net, 'indexeddb://'))).message).toBe(
      'saveModel: indexeddb:// names no model; write indexeddb://<name>, such as indexeddb://mnist.',
    );
    expect((await rejection(saveModel(net, 'indexeddb://m', { format: 'onnx' }))).message).toBe(
      "saveModel: indexeddb://m holds twostep's own format (the model file's text), not 'onnx'; leave format out, or save the onnx model to a file.",
    );
    expect((await rejection(saveModel(net, 'https://example.com/m.json'))).message).toBe(
      'saveModel: cannot save to https://example.com/m.json: HTTP has no standard way to store a file. Save to a file in Node, to indexeddb:// or localstorage:// in a page, or upload the bytes of serialize, toOnnx or toLayers yourself.',
    );
    expect((await rejection(loadModel('m.json', { format: 'keras' as never }))).message).toBe(
      "loadModel: unknown format \"keras\"; use 'twostep', 'onnx', 'tfjs-layers', or leave it out to go by the name.",
    );
    expect((await rejection(loadModel('m.json', { maxBytes: 0 }))).message).toBe(
      'loadModel: maxBytes must be a positive integer; it is 0. Leave it out for the default 268,435,456.',
    );
    expect((await rejection(loadModel('m.json', { maxByte: 1 } as never))).message).toBe(
      "loadModel: unknown option 'maxByte'; did you mean 'maxBytes'? The options are format, maxBytes, maxParameters, maxEntries, fetch.",
    );
    expect((await rejection(saveModel(net, 'models/', { format: 'onnx' }))).message).toBe(
      'saveModel: models/ is a folder, and the onnx format is one file; name it, such as models/mnist.onnx.',
    );
    expect((await rejection(saveModel({} as Network, 'm.json'))).message).toBe(
      'saveModel: expected a Network from @twostep/core, got {}.',
    );
    expect(
      (await rejection(loadModel('https://[bad', { fetch: globalThis.fetch }))).message,
    ).toMatch(
      /^loadModel: https:\/\/\[bad is not a valid URL \(.*\); use a path, or a URL of file:\/\/, https:\/\/, http:\/\/, indexeddb:\/\/ or localstorage:\/\/\.$/,
    );
    expect((await rejection(saveModel(net, ''))).message).toBe(
      'saveModel: the URL must be a path, or a URL of file://, https://, http://, indexeddb:// or localstorage://; it is "".',
    );
  });
});

describe('http(s) with fetch', () => {
  /** A fetch that serves `files` by URL (404 for the rest) and records what was asked. */
  function server(
    files: Record<string, Uint8Array | string>,
    headers: Record<string, string> = {},
  ) {
    const asked: string[] = [];
    const fetch = vi.fn(async (url: string | URL | Request) => {
      asked.push(String(url));
      const body = files[String(url)];
      if (body === undefined)
        return new Response('no such page', { status: 404, statusText: 'Not Found' });
      return new Response(typeof body === 'string' ? body : new Uint8Array(body), { headers });
    });
    return { fetch: fetch as unknown as typeof globalThis.fetch, asked };
  }

  it('loads each format; Layers weights from beside model.json', async () => {
    const { modelJson, weightData } = toLayers(net);
    const { fetch, asked } = server({
      'https://models.test/a/m.json': serialize(net),
      'https://models.test/a/m': toOnnx(net),
      'https://models.test/b/model.json': JSON.stringify(modelJson),
      'https://models.test/b/weights.bin': new Uint8Array(weightData),
    });
    expect(serialize(await loadModel('https://models.test/a/m.json', { fetch }))).toBe(
      serialize(net),
    );
    expect((await loadModel('https://models.test/a/m', { fetch })).getWeights()).toEqual(
      float32(net),
    );
    expect(
      (await loadModel(new URL('https://models.test/b/model.json'), { fetch })).getWeights(),
    ).toEqual(float32(net));
    expect(asked.at(-1)).toBe('https://models.test/b/weights.bin');
  });

  it('an HTTP error names the status and the URL', async () => {
    const { fetch } = server({});
    const error = await rejection(loadModel('https://models.test/missing.json', { fetch }));
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toBe(
      'loadModel: https://models.test/missing.json answered HTTP 404 Not Found; there is no model at that URL: check it.',
    );
    expect((error as StorageError).kind).toBe('missing');
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof globalThis.fetch;
    expect(
      (await rejection(loadModel('http://models.test/m.json', { fetch: failing }))).message,
    ).toBe(
      "loadModel: could not fetch http://models.test/m.json (fetch failed); check the address and the network, and that the server lets this page's origin read it (CORS).",
    );
  });

  it('a body over maxBytes: refused from its Content-Length, or as it arrives', async () => {
    const big = 'x'.repeat(5000);
    const declared = server({ 'https://models.test/m.json': big }, { 'content-length': '5000' });
    const error = await rejection(
      loadModel('https://models.test/m.json', { fetch: declared.fetch, maxBytes: 1000 }),
    );
    expect(error).toBeInstanceOf(ResourceLimitError);
    expect(error.message).toBe(
      "loadModel: reading https://models.test/m.json comes to 5,000 bytes, over the limit of 1,000 (maxBytes). Load a smaller model, or raise the limit: maxBytes: 5,000 in loadModel's options.",
    );
    // No Content-Length: a stream that never ends is cut at the limit.
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 256;
        controller.enqueue(new Uint8Array(256));
      },
    });
    const streaming = (async () => new Response(endless)) as typeof globalThis.fetch;
    const cut = await rejection(
      loadModel('https://models.test/m', { fetch: streaming, maxBytes: 1000 }),
    );
    expect(cut.message).toBe(
      "loadModel: reading https://models.test/m comes to more than 1,024 bytes, over the limit of 1,000 (maxBytes). Load a smaller model, or raise the limit: maxBytes: <bytes> in loadModel's options.",
    );
    expect(sent).toBeLessThan(2000);
    // The weights of a Layers model count towards the same limit.
    const { modelJson, weightData } = toLayers(net);
    const text = JSON.stringify(modelJson);
    const layers = server({
      'https://models.test/model.json': text,
      'https://models.test/weights.bin': new Uint8Array(weightData),
    });
    await expect(
      loadModel('https://models.test/model.json', {
        fetch: layers.fetch,
        maxBytes: text.length + 10,
      }),
    ).rejects.toThrow(/reading https:\/\/models\.test\/weights\.bin comes to/);
  });

  it('a relative URL is a path in Node', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'models'));
    await writeFile(join(dir, 'models', 'm.json'), serialize(net));
    vi.spyOn(process, 'cwd').mockReturnValue(dir);
    expect(serialize(await loadModel('models/m.json'))).toBe(serialize(net));
  });
});
