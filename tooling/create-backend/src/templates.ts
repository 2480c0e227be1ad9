/**
 * The files of a new backend package, mirroring packages/backend-ts: the same package.json
 * shape (exports with the `@twostep/source` condition, scripts, workspace dependencies), the
 * same tsconfigs and Vitest config, a backend whose every op is a stub naming itself, and the
 * one-line conformance test. Lines that hold the name stay short, so every name the CLI accepts
 * keeps them within Biome's 100 columns.
 */

/** Names derived from the backend's short name, e.g. `onnx-cpu`. */
export interface Names {
  /** `onnx-cpu`: the backend's `name` and the suite's. */
  readonly name: string;
  /** `backend-onnx-cpu`: the folder, and the prefix of stub errors. */
  readonly folder: string;
  /** `@twostep/backend-onnx-cpu`. */
  readonly packageName: string;
  /** `OnnxCpu`: the prefix of the class names. */
  readonly pascal: string;
}

export function names(name: string): Names {
  const pascal = name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return { name, folder: `backend-${name}`, packageName: `@twostep/backend-${name}`, pascal };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function packageJson({ name, folder, packageName }: Names): string {
  return json({
    name: packageName,
    version: '0.0.0',
    // Private until it passes the suite: `changeset publish` skips private packages.
    private: true,
    description: `The ${name} backend for @twostep/core.`,
    license: 'MIT',
    repository: {
      type: 'git',
      url: 'git+https://github.com/twostep-js/twostep.git',
      directory: `packages/${folder}`,
    },
    homepage: `https://github.com/twostep-js/twostep/tree/main/packages/${folder}#readme`,
    bugs: 'https://github.com/twostep-js/twostep/issues',
    type: 'module',
    sideEffects: false,
    exports: {
      '.': {
        '@twostep/source': './src/index.ts',
        types: './dist/index.d.ts',
        default: './dist/index.js',
      },
      './package.json': './package.json',
    },
    // dist/ with its source maps, and the src/ they point at.
    files: ['dist', 'src', 'README.md'],
    engines: { node: '>=20.19' },
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      typecheck: 'tsc -p tsconfig.json --noEmit',
      lint: 'biome check .',
      test: 'vitest run',
    },
    peerDependencies: { '@twostep/core': 'workspace:^' },
    devDependencies: {
      '@twostep/core': 'workspace:^',
      '@twostep/conformance': 'workspace:^',
    },
    keywords: ['neural-network', 'two-step-rule', 'backend'],
  });
}

export const tsconfigJson = (): string => `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true, "types": [] },
  "include": ["src", "test"]
}
`;

export const tsconfigBuildJson = (): string => `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "customConditions": [], "types": [] },
  "include": ["src"]
}
`;

export const vitestConfig = (): string => `import shared from '../../vitest.shared.ts';

// Tests read @twostep/core and @twostep/conformance from their src/ through the shared
// config's \`@twostep/source\` condition. For the browser run, see "Running the suite in a
// browser" in docs/writing-a-backend.md.
export default shared;
`;

export function conformanceTest({ name }: Names): string {
  return `import { runConformance } from '@twostep/conformance';
import { createBackend } from '../src/index.js';

// Until every op is written, each failing check names the op it reached that is missing.
// Add a call per dtype you support, named after it, e.g. '${name}-float64' with
// create: (options) => createBackend({ dtype: 'float64', ...options }). \`create\` is given
// { dtype } when a check needs an instance of another dtype.
runConformance({ name: '${name}', create: createBackend });
`;
}

export function indexTs({ name, packageName, pascal }: Names): string {
  return `// biome-ignore-all lint/correctness/noUnusedFunctionParameters: the stubs name the parameters their implementations will use; delete this line once every op is written.
/**
 * ${packageName}
 *
 * A tensor backend for @twostep/core. Every op below throws until you write it, and the
 * conformance suite names the ops still missing. The guide, op by op, is
 * docs/writing-a-backend.md at the root of the repository.
 */
import {
  type AdamStep,
  type Backend,
  type BackendDescriptor,
  type BackendOptions,
  type BackendSupports,
  checkDType,
  type DType,
  type FusedActivation,
  type MatMulOptions,
  type Matrix,
  type MemoryInfo,
  SPECIFICATION_VERSION,
  type UnaryOp,
} from '@twostep/core/backend';

const NAME = '${name}';

/** The dtypes this backend computes in. TODO: keep only those your library supports. */
const DTYPES: readonly DType[] = ['float32', 'float64'];

/** The error of an op not written yet; the suite's failures show it. */
function notImplemented(op: string): never {
  throw new Error(\`backend-\${NAME}: \${op} is not implemented yet (see docs/writing-a-backend.md)\`);
}

/**
 * A rows × cols matrix of this backend. The core reads only \`rows\`, \`cols\`, \`dtype\`,
 * \`isDisposed\`, \`backend\` and \`toString()\`; the data stays wherever your library keeps it.
 */
export class ${pascal}Matrix implements Matrix {
  /** Set by \`dispose\`. */
  isDisposed = false;

  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly dtype: DType,
    /** The instance that created it (pass \`this\`): checkOperands rejects it on any other. */
    readonly backend: Backend<${pascal}Matrix>,
    // TODO: the storage, e.g. \`readonly data: Float32Array | Float64Array\`, or a tensor handle.
  ) {}

  /** For example \`Matrix(3×2, float64)\`; never the data. */
  toString(): string {
    return \`Matrix(\${this.rows}×\${this.cols}, \${this.dtype})\`;
  }
}

/** This backend's matrix: the \`M\` of \`Backend<M>\`. */
type M = ${pascal}Matrix;

/**
 * The backend. Every op returns a new matrix and leaves its operands unchanged, checks its
 * operands with the helpers of @twostep/core/backend (\`checkOperands\`, \`matMulShape\`, …)
 * so that errors read the same on every backend, and never reads data back to the host.
 */
export class ${pascal}Backend implements Backend<M> {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly name = NAME;
  readonly dtype: DType;
  readonly dtypes = DTYPES;
  /** Optional capabilities: set one to true once its ops below work (the suite then checks them). */
  readonly supports: BackendSupports = {
    readSync: false,
    fusedActivation: false,
    fusedAdam: false,
  };

  constructor({ dtype = 'float32' }: BackendOptions = {}) {
    checkDType(NAME, dtype, DTYPES);
    this.dtype = dtype;
  }

  // transfer

  fromArray(data: ArrayLike<number>, rows: number, cols: number): M {
    // TODO: checkData('fromArray', data, rows, cols); copy the row-major data (NaN and
    // ±Infinity included) into a new matrix of this.dtype made by this, counted by memory().
    return notImplemented('fromArray');
  }

  fill(rows: number, cols: number, value: number): M {
    // TODO: checkShape('fill', rows, cols); a new matrix with every entry \`value\`.
    return notImplemented('fill');
  }

  copy(a: M): M {
    // TODO: checkOperands('copy', this, a); a new matrix with a's data. Libraries with
    // immutable tensors may share the data (tfjs's clone), as long as disposing one keeps the other.
    return notImplemented('copy');
  }

  async read(m: M): Promise<Float32Array | Float64Array> {
    // TODO: checkOperands('read', this, m); a row-major copy, a Float32Array for float32
    // and a Float64Array for float64. Keep it async, so that a failed check rejects.
    return notImplemented('read');
  }

  readSync(m: M): Float32Array | Float64Array {
    // TODO (optional): as read, synchronously; then set supports.readSync. GPU backends omit it.
    return notImplemented('readSync');
  }

  // linear algebra

  matMul(a: M, b: M, options: MatMulOptions = {}): M {
    // TODO: checkOperands('matMul', this, a, b); const [rows, cols] = matMulShape(a, b,
    // options); op(a) · op(b), reading a or b transposed when its flag is set, never copying.
    return notImplemented('matMul');
  }

  // element-wise: b has a's shape, or is an a.rows × 1 column applied to every column of a

  add(a: M, b: M): M {
    // TODO: checkOperands('add', this, a, b); broadcastKind('add', a, b) says 'same' or
    // 'column'; then a + b entry by entry.
    return notImplemented('add');
  }

  sub(a: M, b: M): M {
    // TODO: as add, for a − b.
    return notImplemented('sub');
  }

  mul(a: M, b: M): M {
    // TODO: as add, for the Hadamard product a ⊙ b.
    return notImplemented('mul');
  }

  div(a: M, b: M): M {
    // TODO: as add, for a / b (IEEE: x / 0 is ±Infinity or NaN, not an error).
    return notImplemented('div');
  }

  scale(a: M, s: number, t = 0): M {
    // TODO: checkOperands('scale', this, a); s · a + t, entry by entry.
    return notImplemented('scale');
  }

  unary(op: UnaryOp, a: M): M {
    // TODO: checkOperands('unary', this, a); the op, entry by entry (see UNARY_OPS):
    // step(x) is 1 for x > 0, else 0; sigmoid and softplus must not overflow at ±1000.
    return notImplemented('unary');
  }

  clamp(a: M, lo: number, hi: number): M {
    // TODO: checkOperands('clamp', this, a); each entry limited to [lo, hi].
    return notImplemented('clamp');
  }

  // reductions and structure

  sum(a: M): M {
    // TODO: checkOperands('sum', this, a); the sum of every entry, as a 1 × 1 matrix.
    return notImplemented('sum');
  }

  logSoftmax(a: M): M {
    // TODO: checkOperands('logSoftmax', this, a); per column j, aᵢⱼ − mⱼ − log Σₖ
    // exp(aₖⱼ − mⱼ) with mⱼ the column's largest entry, so that ±1000 does not overflow.
    return notImplemented('logSoftmax');
  }

  sliceCols(a: M, start: number, end: number): M {
    // TODO: checkOperands('sliceCols', this, a); checkSlice(a, start, end); columns
    // [start, end) of a.
    return notImplemented('sliceCols');
  }

  concatRows(a: M, b: M): M {
    // TODO: checkOperands('concatRows', this, a, b); checkConcatRows(a, b); a on top of b.
    return notImplemented('concatRows');
  }

  // memory: the core owns the scopes (tidy); a backend only disposes and counts

  dispose(m: M): void {
    // TODO: free the storage and set m.isDisposed; disposing twice does nothing.
    notImplemented('dispose');
  }

  memory(): MemoryInfo {
    // TODO: the matrices created and not yet disposed, and their bytes (rows · cols · 4 or 8).
    return notImplemented('memory');
  }

  // optional fused kernels: set supports.fusedActivation or supports.fusedAdam once written

  activate(y: M, activation: FusedActivation): M {
    // TODO (optional): σ(Y) for activation.kind (leakyRelu's slope is activation.alpha).
    return notImplemented('activate');
  }

  deltaDown(deltaUp: M, y: M, activation: FusedActivation): M {
    // TODO (optional): δup ⊙ σ'(Y) (eq. 5); checkSameShape('deltaDown', { deltaUp, y }).
    return notImplemented('deltaDown');
  }

  adam(w: M, g: M, m: M, v: M, step: AdamStep): { w: M; m: M; v: M } {
    // TODO (optional): one Adam update as documented on Backend.adam, returned as a plain
    // object literal (the core's scopes look inside plain objects only).
    return notImplemented('adam');
  }
}

/** A backend computing in \`dtype\` (default float32). */
export function createBackend(options: BackendOptions = {}): ${pascal}Backend {
  return new ${pascal}Backend(options);
}

/**
 * What \`loadBackend\` reads once an app declares this package with \`defineBackends\` (see
 * README.md). \`packages\` is the install line of a BackendNotInstalledError: this package
 * first, then every package your backend needs. Import those inside \`create\`
 * (\`await import('./impl.js')\`), not at the top of this file, so that a missing one is named.
 * Add \`check: () => reason | undefined\` if the backend cannot run everywhere (a GPU, say).
 */
export const descriptor = {
  name: NAME,
  dtypes: DTYPES,
  packages: ['${packageName}'],
  create: createBackend,
} as const satisfies BackendDescriptor;
`;
}

/** An object key as Biome writes it: quoted only when it is not an identifier (\`onnx-cpu\`). */
const key = (name: string) => (name.includes('-') ? `'${name}'` : name);

export const readme = ({ name, folder, packageName }: Names): string => `# ${packageName}

The \`${name}\` backend for [\`@twostep/core\`](../core). Scaffolded by
\`pnpm create-backend ${name}\`: every op of the \`Backend\` contract is a stub that throws
\`${folder}: <op> is not implemented yet\`, until you write it.

## Next steps

1. \`pnpm install\` at the root, to link this package into the workspace.
2. \`pnpm --filter ${packageName} test\`: the conformance suite. Every failing check names the op
   it reached first; start with \`fromArray\`, \`fill\`, \`read\`, \`dispose\` and \`memory\`, which
   almost every check needs.
3. Write the ops in \`src/index.ts\`, following [docs/writing-a-backend.md](../../docs/writing-a-backend.md),
   until the suite is green; then declare and write the optional fused kernels if your library
   has them.
4. \`pnpm test\` at the root (build, typecheck, lint and every test), then \`pnpm changeset\`.
5. When it is ready to publish, remove \`"private": true\` from package.json and replace this
   README with what users need: how to install it, the dtypes, what \`supports\` declares.

An app declares the backends it ships, this one beside the built-ins, and picks one by name
(from its config, a URL parameter, a flag):

\`\`\`ts
import { defineBackends, loadBackend } from '@twostep/core';

const backends = defineBackends({
  ts: () => import('@twostep/backend-ts'),
  ${key(name)}: () => import('${packageName}'),
});
const backend = await loadBackend({ backend: '${name}' }, backends);
\`\`\`
`;

/** Every file of the package, by path relative to its folder. */
export function files(n: Names): Record<string, string> {
  return {
    'package.json': packageJson(n),
    'tsconfig.json': tsconfigJson(),
    'tsconfig.build.json': tsconfigBuildJson(),
    'vitest.config.ts': vitestConfig(),
    'README.md': readme(n),
    'src/index.ts': indexTs(n),
    'test/conformance.test.ts': conformanceTest(n),
  };
}
