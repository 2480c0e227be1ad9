/**
 * `saveModel` and `loadModel`: a network to and from a place named by a URL.
 *
 * - A path or a `file://` URL (Node): the format follows the name (`.json` twostep's own,
 *   `.onnx` ONNX, a folder ending in `/` a TensorFlow.js Layers model.json + weights.bin) or
 *   `options.format`; every file is written whole or not at all (`writeFileAtomic`).
 * - `indexeddb://name`, `localstorage://name` (browsers): twostep's own format, as text.
 * - `https://`, `http://` and, in a page, relative URLs: loaded with `fetch`.
 *
 * Loading reads at most `maxBytes` in all (files, responses, Layers weights) and checks the
 * model as `deserialize`, `fromOnnx` and `fromLayers` do, with their limits.
 */
import {
  ConfigError,
  deserialize,
  type Limits,
  ModelFormatError,
  Network,
  ResourceLimitError,
  serialize,
  TwoStepError,
} from '@twostep/core';
import { checker, checkKeys, type Fields, shown } from '@twostep/core/check';
import { jsonOf } from './checks.js';
import { nodeModules, temporaryOf, writeFileAtomic } from './files.js';
import { fromLayers, LAYERS_WEIGHTS_FILE, toLayers } from './layers.js';
import { fromOnnx, type OnnxExportOptions, toOnnx } from './onnx.js';

export type ModelFormat = 'twostep' | 'onnx' | 'tfjs-layers';
export const MODEL_FORMATS: readonly ModelFormat[] = ['twostep', 'onnx', 'tfjs-layers'];

/** What `loadModel` reads at most by default: 256 MiB. */
export const DEFAULT_MAX_BYTES = 2 ** 28;

/**
 * A place that cannot be read or written: a missing file, a folder without permission, an
 * HTTP error, a full or absent browser store. `url` is the place as given.
 */
export class StorageError extends TwoStepError {
  override readonly name = 'StorageError';
  override readonly code = 'STORAGE';
  constructor(
    message: string,
    readonly url: string,
    /**
     * What went wrong, for an app to word it in its own terms: `missing` (no model there: no
     * file, HTTP 404, no model of that name saved), `unavailable` (the runtime has no such store,
     * or it is blocked), `full` (no room), `refused` (no permission, a read-only place), or
     * `failed` (anything else: the network, another HTTP status, a folder where a file must be).
     */
    readonly kind: StorageErrorKind = 'failed',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export type StorageErrorKind = 'missing' | 'unavailable' | 'full' | 'refused' | 'failed';

/** The kind of a Node file-system error code. */
const KIND_OF_CODE: Record<string, StorageErrorKind> = {
  ENOENT: 'missing',
  ENOTDIR: 'missing',
  EACCES: 'refused',
  EPERM: 'refused',
  EROFS: 'refused',
  ENOSPC: 'full',
};
const kindOfCode = (code: string): StorageErrorKind =>
  Object.hasOwn(KIND_OF_CODE, code) ? KIND_OF_CODE[code]! : 'failed';

export interface SaveOptions {
  /** Default: from the name (`.json` twostep, `.onnx` ONNX, a folder `…/` tfjs-layers). */
  readonly format?: ModelFormat;
  /** `toOnnx`'s options, for the ONNX format. */
  readonly onnx?: OnnxExportOptions;
}

export interface SaveResult {
  readonly format: ModelFormat;
  /** The files (paths) or the store entry (the URL) written. */
  readonly written: readonly string[];
  /** Bytes written in all (characters, for the browser stores). */
  readonly bytes: number;
}

export interface LoadOptions extends Limits {
  /** Default: from the name (`.json`, `.onnx`) or, failing that, from the content. */
  readonly format?: ModelFormat;
  /** The most bytes read in all (the model and its weights files); default 256 MiB. */
  readonly maxBytes?: number;
  /** The `fetch` for http(s) URLs; default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
}

const SCHEMES = 'a path, or a URL of file://, https://, http://, indexeddb:// or localstorage://';
const DATABASE = 'twostep';
const STORE = 'models';
/** localStorage keys of models: the prefix, then the name. */
const KEY_PREFIX = 'twostep/models/';

/** Where a URL points. */
type Place =
  | { kind: 'file'; url: string; path: string; folder: boolean }
  | { kind: 'http'; url: string }
  | { kind: 'indexeddb' | 'localstorage'; url: string; name: string };

/** The place `target` names, for `caller`; a bad or unknown one is a ConfigError. */
function locate(caller: string, target: unknown): Place {
  const url = target instanceof URL ? target.href : target;
  if (typeof url !== 'string' || url === '') {
    throw new ConfigError(`${caller}: the URL must be ${SCHEMES}; it is ${shown(target)}.`);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const node = nodeModules();
  // `C:\models\m.json` is a Windows path, not a URL of scheme c.
  if (scheme === undefined || /^[a-z]:[\\/]/i.test(url)) {
    // A path in Node; in a page, a URL relative to the page, for fetch.
    if (!node) return { kind: 'http', url };
    return { kind: 'file', url, path: node.path.resolve(url), folder: /[\\/]$/.test(url) };
  }
  if (scheme === 'http' || scheme === 'https') return { kind: 'http', url };
  if (scheme === 'file') {
    if (!node) {
      throw new ConfigError(
        `${caller}: ${url} is a file, which a page cannot reach; load it over https:// (or relative to the page), or keep models in indexeddb:// or localstorage://.`,
      );
    }
    let path: string;
    try {
      path = node.url.fileURLToPath(url);
    } catch (error) {
      throw new ConfigError(
        `${caller}: ${url} is not a file URL (${(error as Error).message}); write one such as file:///home/me/models/mnist.json, or a path.`,
        { cause: error },
      );
    }
    return { kind: 'file', url, path, folder: /[\\/]$/.test(path) };
  }
  if (scheme === 'indexeddb' || scheme === 'localstorage') {
    const name = url.slice(scheme.length + 1).replace(/^\/\//, '');
    if (name === '') {
      throw new ConfigError(
        `${caller}: ${url} names no model; write ${scheme}://<name>, such as ${scheme}://mnist.`,
      );
    }
    return { kind: scheme, url, name };
  }
  throw new ConfigError(
    `${caller}: unknown scheme "${scheme}:" in ${url}; use ${SCHEMES} (loading only for http(s)).`,
  );
}

/** The format option, checked. */
function formatOption(caller: string, format: unknown): ModelFormat | undefined {
  if (format === undefined || MODEL_FORMATS.includes(format as ModelFormat)) {
    return format as ModelFormat | undefined;
  }
  throw new ConfigError(
    `${caller}: unknown format ${shown(format)}; use ${MODEL_FORMATS.map((f) => `'${f}'`).join(', ')}, or leave it out to go by the name.`,
  );
}

/** The format a name says (`.json`, `.onnx`, a folder for Layers), or undefined. */
function formatOfName(name: string, folder: boolean): ModelFormat | undefined {
  if (folder) return 'tfjs-layers';
  if (/\.onnx$/i.test(name)) return 'onnx';
  return /\.json$/i.test(name) ? 'twostep' : undefined;
}

// --- saveModel ----------------------------------------------------------------------------

/**
 * Saves `net` at `url`: a path or `file://` URL (Node; the format from the name or
 * `options.format`), or `indexeddb://name` / `localstorage://name` (browsers; twostep's own
 * format). Everything is encoded, and every encoding error thrown, before anything is written.
 */
export async function saveModel(
  net: Network,
  url: string | URL,
  options: SaveOptions = {},
): Promise<SaveResult> {
  if (!(net instanceof Network)) {
    throw new ConfigError(`saveModel: expected a Network from @twostep/core, got ${shown(net)}.`);
  }
  checkKeys('saveModel', options, ['format', 'onnx']);
  const place = locate('saveModel', url);
  const format = formatOption('saveModel', options.format);
  switch (place.kind) {
    case 'file':
      return saveFile(net, place, format, options.onnx);
    case 'http':
      throw new ConfigError(
        `saveModel: cannot save to ${place.url}: HTTP has no standard way to store a file. Save to a file in Node, to indexeddb:// or localstorage:// in a page, or upload the bytes of serialize, toOnnx or toLayers yourself.`,
      );
    default: {
      if (format !== undefined && format !== 'twostep') {
        throw new ConfigError(
          `saveModel: ${place.url} holds twostep's own format (the model file's text), not '${format}'; leave format out, or save the ${format} model to a file.`,
        );
      }
      const text = serialize(net);
      if (place.kind === 'localstorage') saveLocal(place, text);
      else await saveIndexedDb(place, text);
      return { format: 'twostep', written: [place.url], bytes: text.length };
    }
  }
}

async function saveFile(
  net: Network,
  place: Extract<Place, { kind: 'file' }>,
  option: ModelFormat | undefined,
  onnx: OnnxExportOptions | undefined,
): Promise<SaveResult> {
  const { path: p } = nodeModules()!;
  const format = option ?? formatOfName(place.path, place.folder);
  if (format === undefined) {
    throw new ConfigError(
      `saveModel: cannot tell the format of ${place.url} from its name; end it in .json (twostep's own format) or .onnx, end it with / for a TensorFlow.js Layers folder, or pass { format: 'twostep' | 'onnx' | 'tfjs-layers' }.`,
    );
  }
  if (place.folder && format !== 'tfjs-layers') {
    throw new ConfigError(
      `saveModel: ${place.url} is a folder, and the ${format} format is one file; name it, such as ${place.url}mnist.${format === 'onnx' ? 'onnx' : 'json'}.`,
    );
  }
  // [path, data] in the order written: Layers weights before the model.json that names them.
  let files: [string, string | Uint8Array][];
  if (format === 'twostep') files = [[place.path, serialize(net)]];
  else if (format === 'onnx') files = [[place.path, toOnnx(net, onnx)]];
  else {
    // A folder gets model.json + weights.bin; a name.json gets name.weights.bin beside it.
    const inFolder = place.folder || !/\.json$/i.test(place.path);
    const json = inFolder ? p.join(place.path, 'model.json') : place.path;
    const base = p.basename(json);
    const weightsPath =
      base === 'model.json' ? LAYERS_WEIGHTS_FILE : `${base.slice(0, -'.json'.length)}.weights.bin`;
    const { modelJson, weightData } = toLayers(net, { weightsPath });
    files = [
      [p.join(p.dirname(json), weightsPath), new Uint8Array(weightData)],
      [json, `${JSON.stringify(modelJson)}\n`],
    ];
  }
  let bytes = 0;
  for (const [path, data] of files) {
    try {
      await writeFileAtomic(path, data);
    } catch (error) {
      throw cannotWrite(error, place.url, path);
    }
    bytes += typeof data === 'string' ? new TextEncoder().encode(data).length : data.length;
  }
  return { format, written: files.map(([path]) => path), bytes };
}

/** Why a write can fail, by Node's error code, and what to do. */
const WRITE_FAILURES: Record<string, string> = {
  EACCES: 'no permission to write there; choose a folder you can write, or change its permissions',
  EPERM: 'the system does not allow writing there; choose a folder you can write',
  EROFS: 'the file system is read-only; save to a writable one',
  ENOSPC: 'the disk is full; free space, or save elsewhere',
  ENOTDIR: 'a file is in the way where a folder must be; choose another path',
  EISDIR:
    'a folder is in the way; name a file in it, or end the URL with / to save a Layers folder',
};

/** A file-system error of writing `path` as a StorageError naming the URL and the fix. */
function cannotWrite(error: unknown, url: string, path: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (error instanceof TwoStepError || typeof e?.code !== 'string') return error;
  // Where it failed; the target rather than its temporary file.
  const at = e.path && !temporaryOf(e.path.split(/[\\/]/).at(-1)!) ? e.path : path;
  const why = Object.hasOwn(WRITE_FAILURES, e.code)
    ? `${e.code} at ${at}: ${WRITE_FAILURES[e.code]}`
    : `${e.message}; check the path`;
  return new StorageError(`saveModel: cannot write ${url} (${why}).`, url, kindOfCode(e.code), {
    cause: error,
  });
}

// --- loadModel ----------------------------------------------------------------------------

/** Counts the bytes one loadModel reads against `maxBytes`. */
class Budget {
  private used = 0;
  constructor(private readonly max: number) {}
  /** Takes `size` more bytes of `url`; `known` when `size` is the whole of it. */
  take(size: number, url: string, known = true): void {
    this.used += size;
    if (this.used <= this.max) return;
    const total = `${known ? '' : 'more than '}${count(this.used)} bytes`;
    throw new ResourceLimitError(
      `loadModel: reading ${url} comes to ${total}, over the limit of ${count(this.max)} (maxBytes). Load a smaller model, or raise the limit: maxBytes: ${known ? count(this.used) : '<bytes>'} in loadModel's options.`,
    );
  }
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The network saved at `url`: a path or `file://` URL (Node; a Layers folder is read through
 * its model.json), an `https://`/`http://` URL (or, in a page, a relative one) read with
 * `fetch`, or `indexeddb://name` / `localstorage://name` (browsers). The format is
 * `options.format`, or follows the name, or the content (a Layers model.json is told by its
 * `format`, its weights files are read beside it).
 */
export async function loadModel(url: string | URL, options: LoadOptions = {}): Promise<Network> {
  checkKeys('loadModel', options, ['format', 'maxBytes', 'maxParameters', 'maxEntries', 'fetch']);
  const place = locate('loadModel', url);
  const format = formatOption('loadModel', options.format);
  const { maxBytes = DEFAULT_MAX_BYTES, fetch: fetcher, maxParameters, maxEntries } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new ConfigError(
      `loadModel: maxBytes must be a positive integer; it is ${shown(maxBytes)}. Leave it out for the default ${count(DEFAULT_MAX_BYTES)}.`,
    );
  }
  if (fetcher !== undefined && typeof fetcher !== 'function') {
    throw new ConfigError(
      `loadModel: fetch must be a function such as globalThis.fetch; it is ${shown(fetcher)}.`,
    );
  }
  const limits: Limits = {
    ...(maxParameters !== undefined && { maxParameters }),
    ...(maxEntries !== undefined && { maxEntries }),
  };
  const budget = new Budget(maxBytes);
  if (place.kind === 'file') return loadFile(place, format, limits, budget);
  if (place.kind === 'http') return loadHttp(place, format, limits, budget, fetcher);
  if (format !== undefined && format !== 'twostep') {
    throw new ConfigError(
      `loadModel: ${place.url} holds twostep's own format, not '${format}'; leave format out.`,
    );
  }
  const text = place.kind === 'localstorage' ? loadLocal(place) : await loadIndexedDb(place);
  budget.take(text.length, place.url);
  return decoded(place.url, 'twostep', () => deserialize(text, limits));
}

/** The bytes of a weights file of a Layers model, named as in its manifest. */
type WeightsReader = (file: string) => Promise<Uint8Array>;

/** The network in `bytes`, read from `url` (`name`: its file name, for the format). */
async function decode(
  bytes: Uint8Array,
  url: string,
  name: string,
  option: ModelFormat | undefined,
  limits: Limits,
  readWeights: WeightsReader,
): Promise<Network> {
  const byName = formatOfName(name, false);
  const first = bytes.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  const format = option ?? byName ?? (first === 0x7b /* { */ ? 'twostep' : 'onnx');
  if (format === 'onnx') return decoded(url, 'onnx', () => fromOnnx(bytes, limits));
  const text = new TextDecoder().decode(bytes);
  const json = decoded(url, format, () => jsonOf(text, 'Model file'));
  const layers = format === 'tfjs-layers' || (option === undefined && isLayers(json));
  if (!layers) return decoded(url, 'twostep', () => deserialize(json, limits));
  const files = decoded(url, 'tfjs-layers', () => weightFiles(json));
  const data: Uint8Array[] = [];
  for (const file of files) data.push(await readWeights(file));
  return decoded(url, 'tfjs-layers', () => fromLayers(json, joined(data), limits));
}

const isLayers = (json: unknown) =>
  typeof json === 'object' && json !== null && (json as Fields).format === 'layers-model';

/**
 * The weights files a Layers model.json names, in manifest order, each a path relative to it
 * that stays beside it (no `..`, no absolute path or URL).
 */
function weightFiles(json: unknown): string[] {
  const c = checker((text, path) => {
    const reason = text.slice(path.length + 1);
    return new ModelFormatError(`TensorFlow.js Layers model: ${text}.`, path, reason);
  });
  const file = c.object(json, '$');
  const files: string[] = [];
  c.array(file.weightsManifest, 'weightsManifest').forEach((g, i) => {
    const group = c.object(g, `weightsManifest[${i}]`);
    c.array(group.paths, `weightsManifest[${i}].paths`).forEach((name, k) => {
      const path = `weightsManifest[${i}].paths[${k}]`;
      const value = c.string(name, path);
      const outside =
        value === '' ||
        /^[a-z][a-z0-9+.-]*:|^[\\/]/i.test(value) ||
        value.split(/[\\/]/).includes('..');
      if (outside) c.fail(path, 'a file name beside model.json, such as "weights.bin"', value);
      files.push(value);
    });
  });
  return files;
}

const FORMAT_NAMES: Record<ModelFormat, string> = {
  twostep: 'twostep model file',
  onnx: 'ONNX model',
  'tfjs-layers': 'TensorFlow.js Layers model',
};

/**
 * `read()`, with a ModelFormatError it throws worded for `url`: the field, what is wrong and
 * what to do; other errors as they are.
 */
function decoded<T>(url: string, format: ModelFormat, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ModelFormatError)) throw error;
    // ONNX reasons are sentences that name the node or tensor; the others follow the field.
    const field = format === 'onnx' ? '' : `${error.path === '$' ? 'the file' : error.path} `;
    const worded = new ModelFormatError(
      `loadModel: ${url} is not a valid ${FORMAT_NAMES[format]}: ${field}${error.reason}. Save the model again, or load another one.`,
      error.path,
      error.reason,
    );
    worded.cause = error;
    throw worded;
  }
}

/** Why a read can fail, by Node's error code, and what to do. */
const READ_FAILURES: Record<string, string> = {
  ENOENT: 'there is no such file; check the path, or save a model there first with saveModel',
  EACCES: 'no permission to read it; change its permissions, or copy it somewhere readable',
  EPERM: 'the system does not allow reading it',
  ENOTDIR: 'a part of the path is a file, not a folder; check the path',
  EISDIR: 'it is a folder; name the model file in it',
};

/** A file-system error of reading `path` as a StorageError naming the URL and the fix. */
function cannotRead(error: unknown, url: string, path: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (error instanceof TwoStepError || typeof e?.code !== 'string') return error;
  const why = Object.hasOwn(READ_FAILURES, e.code)
    ? `${e.code}: ${READ_FAILURES[e.code]}`
    : `${e.message}; check the path`;
  return new StorageError(
    `loadModel: cannot read ${url} (${path}: ${why}).`,
    url,
    kindOfCode(e.code),
    { cause: error },
  );
}

async function loadFile(
  place: Extract<Place, { kind: 'file' }>,
  format: ModelFormat | undefined,
  limits: Limits,
  budget: Budget,
): Promise<Network> {
  const { fs, path: p } = nodeModules()!;
  /** The bytes of the file at `path`, its size checked first. */
  const read = async (path: string, url: string) => {
    try {
      const stats = await fs.stat(path);
      if (!stats.isFile()) {
        throw new StorageError(
          `loadModel: ${url} (${path}) is not a file but a ${stats.isDirectory() ? 'folder' : 'device, pipe or socket'}; name a model file.`,
          url,
        );
      }
      budget.take(stats.size, url);
      return new Uint8Array(await fs.readFile(path));
    } catch (error) {
      throw cannotRead(error, url, path);
    }
  };
  // A folder is a Layers model: its model.json.
  const folder = place.folder || (await fs.stat(place.path).catch(() => undefined))?.isDirectory();
  const path = folder ? p.join(place.path, 'model.json') : place.path;
  const bytes = await read(path, place.url);
  return decode(bytes, place.url, path, format, limits, (file) =>
    read(p.join(p.dirname(path), file), `${place.url} (weights file ${file})`),
  );
}

async function loadHttp(
  place: Extract<Place, { kind: 'http' }>,
  format: ModelFormat | undefined,
  limits: Limits,
  budget: Budget,
  fetcher = globalThis.fetch,
): Promise<Network> {
  let url: URL;
  try {
    url = new URL(place.url, (globalThis as { location?: { href: string } }).location?.href);
  } catch (error) {
    throw new ConfigError(
      `loadModel: ${place.url} is not a valid URL (${(error as Error).message}); use ${SCHEMES}.`,
      { cause: error },
    );
  }
  if (typeof fetcher !== 'function') {
    throw new StorageError(
      `loadModel: ${url.href} needs fetch, which this runtime does not have; pass one as options.fetch.`,
      place.url,
      'unavailable',
    );
  }
  const bytes = await download(fetcher, url.href, budget);
  return decode(bytes, place.url, url.pathname, format, limits, (file) =>
    download(fetcher, new URL(file, url).href, budget),
  );
}

/** The body of `url`, its size checked from Content-Length and while it arrives. */
async function download(fetcher: typeof fetch, url: string, budget: Budget): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (error) {
    throw new StorageError(
      `loadModel: could not fetch ${url} (${(error as Error)?.message ?? shown(error)}); check the address and the network, and that the server lets this page's origin read it (CORS).`,
      url,
      'failed',
      { cause: error },
    );
  }
  if (!response.ok) {
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const fix =
      response.status === 404
        ? 'there is no model at that URL: check it'
        : 'check the URL, and that the server serves the model to this client';
    throw new StorageError(
      `loadModel: ${url} answered ${status}; ${fix}.`,
      url,
      response.status === 404 ? 'missing' : 'failed',
    );
  }
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isSafeInteger(length)) budget.take(length, url);
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (!Number.isSafeInteger(length)) budget.take(bytes.length, url);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
    // A body longer than its Content-Length, or without one, is counted as it arrives.
    if (!Number.isSafeInteger(length) || total > length) {
      try {
        budget.take(Number.isSafeInteger(length) ? total - length : value.length, url, false);
      } catch (error) {
        await reader.cancel();
        throw error;
      }
    }
  }
  return joined(chunks);
}

/** `chunks` one after another in one array. */
function joined(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

// --- browser stores -----------------------------------------------------------------------

const size = (characters: number) =>
  `${count(characters)} characters (${(characters / 2 ** 20).toFixed(1)} MiB) of text`;

const isQuota = (error: unknown) =>
  error instanceof DOMException &&
  (error.name === 'QuotaExceededError' || error.name === 'NS_ERROR_DOM_QUOTA_REACHED');

/** The page's localStorage, or a StorageError saying where to save instead. */
function localStore(place: Place, caller: string): Storage {
  let storage: Storage | undefined;
  try {
    storage = (globalThis as { localStorage?: Storage }).localStorage;
  } catch (error) {
    // A page whose storage is blocked (sandboxed frames, some privacy settings) throws here.
    throw new StorageError(
      `${caller}: ${place.url}: localStorage is blocked here (${(error as Error).message}); allow site data, or use indexeddb://.`,
      place.url,
      'unavailable',
      { cause: error },
    );
  }
  if (typeof storage?.getItem !== 'function') {
    throw new StorageError(
      `${caller}: ${place.url} needs localStorage, which this runtime does not have (it is a browser's); in Node, use a file path or a file:// URL.`,
      place.url,
      'unavailable',
    );
  }
  return storage;
}

function saveLocal(place: Extract<Place, { name: string }>, text: string): void {
  const storage = localStore(place, 'saveModel');
  try {
    storage.setItem(KEY_PREFIX + place.name, text);
  } catch (error) {
    if (!isQuota(error)) throw error;
    throw new StorageError(
      `saveModel: ${place.url}: the model is ${size(text.length)}, more than localStorage has room for (${(error as DOMException).name}; browsers give a site about 5 MB). Save it to indexeddb://${place.name}, which holds far more, or remove models you no longer need.`,
      place.url,
      'full',
      { cause: error },
    );
  }
}

function loadLocal(place: Extract<Place, { name: string }>): string {
  const text = localStore(place, 'loadModel').getItem(KEY_PREFIX + place.name);
  if (text === null) {
    throw new StorageError(
      `loadModel: no model named ${shown(place.name)} in localStorage (key ${shown(KEY_PREFIX + place.name)}) of this site; save one first with saveModel(net, '${place.url}').`,
      place.url,
      'missing',
    );
  }
  return text;
}

/** The result of an IndexedDB request. */
const settled = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/**
 * Runs `act` on the models store in one transaction and waits for it to commit; the result
 * of the request `act` made.
 */
async function withStore<T>(
  place: Extract<Place, { name: string }>,
  caller: string,
  mode: IDBTransactionMode,
  act: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const { indexedDB } = globalThis as { indexedDB?: IDBFactory };
  if (!indexedDB) {
    throw new StorageError(
      `${caller}: ${place.url} needs IndexedDB, which this runtime does not have (it is a browser's); in Node, use a file path or a file:// URL.`,
      place.url,
      'unavailable',
    );
  }
  const open = indexedDB.open(DATABASE, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  let db: IDBDatabase;
  try {
    db = await settled(open);
  } catch (error) {
    throw new StorageError(
      `${caller}: ${place.url}: IndexedDB cannot be opened here (${(error as Error)?.message}); allow site data, or use another place.`,
      place.url,
      'unavailable',
      { cause: error },
    );
  }
  try {
    const transaction = db.transaction(STORE, mode);
    const request = act(transaction.objectStore(STORE));
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onabort = () => reject(transaction.error ?? request.error);
    });
    return request.result;
  } finally {
    db.close();
  }
}

async function saveIndexedDb(place: Extract<Place, { name: string }>, text: string) {
  try {
    await withStore(place, 'saveModel', 'readwrite', (store) => store.put(text, place.name));
  } catch (error) {
    if (!isQuota(error)) throw error;
    throw new StorageError(
      `saveModel: ${place.url}: the model is ${size(text.length)}, more than this site's IndexedDB quota has room for (${(error as DOMException).name}); remove models you no longer need, or let the browser give the site more storage.`,
      place.url,
      'full',
      { cause: error },
    );
  }
}

async function loadIndexedDb(place: Extract<Place, { name: string }>): Promise<string> {
  const text = await withStore(place, 'loadModel', 'readonly', (store) => store.get(place.name));
  if (typeof text !== 'string') {
    throw new StorageError(
      `loadModel: no model named ${shown(place.name)} in IndexedDB (database "${DATABASE}", store "${STORE}") of this site; save one first with saveModel(net, '${place.url}').`,
      place.url,
      'missing',
    );
  }
  return text;
}
