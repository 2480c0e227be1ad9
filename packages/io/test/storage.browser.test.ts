/**
 * saveModel/loadModel in a page (Chromium): IndexedDB and localStorage round trips, a model
 * too large for localStorage, names with nothing saved, and relative URLs through fetch.
 */
import { Network, Random, serialize } from '@twostep/core';
import { afterEach, expect, it } from 'vitest';
import { loadModel, StorageError, saveModel } from '../src/index.js';

const network = (architecture: number[], seed = 1) => {
  const net = Network.create({ architecture, activations: ['relu', 'sigmoid'] });
  const random = new Random(seed);
  net.setWeights(net.getWeights().map((w) => w.map((row) => row.map(() => random.normal()))));
  return net;
};

afterEach(() => localStorage.clear());

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

it('indexeddb://: the same network back, the newer save replacing the older', async () => {
  const first = network([4, 6, 3], 1);
  const second = network([4, 6, 3], 2);
  expect(await saveModel(first, 'indexeddb://digits')).toEqual({
    format: 'twostep',
    written: ['indexeddb://digits'],
    bytes: serialize(first).length,
  });
  expect(serialize(await loadModel('indexeddb://digits'))).toBe(serialize(first));
  await saveModel(second, 'indexeddb://digits');
  expect(serialize(await loadModel('indexeddb://digits'))).toBe(serialize(second));
  const error = await rejection(loadModel('indexeddb://never-saved'));
  expect(error).toBeInstanceOf(StorageError);
  expect(error.message).toBe(
    `loadModel: no model named "never-saved" in IndexedDB (database "twostep", store "models") of this site; save one first with saveModel(net, 'indexeddb://never-saved').`,
  );
  expect((error as StorageError).kind).toBe('missing');
});

it('localstorage://: the same network back, under a key of its own', async () => {
  const net = network([3, 5, 2]);
  await saveModel(net, 'localstorage://small');
  expect(localStorage.getItem('twostep/models/small')).toBe(serialize(net));
  expect(serialize(await loadModel('localstorage://small'))).toBe(serialize(net));
  expect((await rejection(loadModel('localstorage://other'))).message).toBe(
    `loadModel: no model named "other" in localStorage (key "twostep/models/other") of this site; save one first with saveModel(net, 'localstorage://other').`,
  );
});

it('a model larger than localStorage holds: the size and the store, and IndexedDB instead', async () => {
  const big = network([1000, 400, 2]);
  const text = serialize(big);
  const error = await rejection(saveModel(big, 'localstorage://big'));
  expect(error).toBeInstanceOf(StorageError);
  expect(error.message).toBe(
    `saveModel: localstorage://big: the model is ${text.length.toLocaleString('en-US')} characters (${(text.length / 2 ** 20).toFixed(1)} MiB) of text, more than localStorage has room for (QuotaExceededError; browsers give a site about 5 MB). Save it to indexeddb://big, which holds far more, or remove models you no longer need.`,
  );
  expect((error as StorageError).kind).toBe('full');
  expect(localStorage.getItem('twostep/models/big')).toBeNull();
  await saveModel(big, 'indexeddb://big');
  expect((await loadModel('indexeddb://big')).getWeights()).toEqual(big.getWeights());
});

it('a relative URL is fetched from the page; a file:// URL is out of reach', async () => {
  const net = network([3, 4, 2]);
  const asked: string[] = [];
  const fetch = (async (url: string) => {
    asked.push(url);
    return new Response(serialize(net));
  }) as typeof globalThis.fetch;
  expect(serialize(await loadModel('models/m.json', { fetch }))).toBe(serialize(net));
  expect(asked).toEqual([new URL('models/m.json', location.href).href]);
  expect((await rejection(loadModel('file:///tmp/m.json'))).message).toBe(
    'loadModel: file:///tmp/m.json is a file, which a page cannot reach; load it over https:// (or relative to the page), or keep models in indexeddb:// or localstorage://.',
  );
});
