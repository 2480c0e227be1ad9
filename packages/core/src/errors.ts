/**
 * Every error the library throws on purpose is a `TwoStepError`. The message names what was
 * wrong (the op, the shapes, the field, the layer) and how to fix it; `code` is stable for
 * programs that branch on the kind of error.
 */
export class TwoStepError extends Error {
  // Written out (not `new.target.name`), so that it survives a minifier's renaming of classes.
  override readonly name: string = 'TwoStepError';
  readonly code: string = 'TWOSTEP_ERROR';
}

/** An architecture string or array that is not `A[N0, …, NL]` with positive integer widths. */
export class ArchitectureError extends TwoStepError {
  override readonly name = 'ArchitectureError';
  override readonly code = 'ARCHITECTURE';
}

/** Operands whose shapes do not fit the op (matMul inner sizes, broadcasting, slices, data length). */
export class ShapeError extends TwoStepError {
  override readonly name = 'ShapeError';
  override readonly code = 'SHAPE';
}

/**
 * A dtype the backend does not support, matrices of different dtypes in one op, or a value
 * (a weight, a sample's) beyond the range of the backend's dtype.
 */
export class DTypeError extends TwoStepError {
  override readonly name = 'DTypeError';
  override readonly code = 'DTYPE';
}

/** A matrix used after `dispose`. */
export class DisposedMatrixError extends TwoStepError {
  override readonly name = 'DisposedMatrixError';
  override readonly code = 'DISPOSED';
}

/**
 * A matrix created by another backend instance of the same dtype: its storage belongs to that
 * instance (a buffer of another device, another instance's memory count).
 */
export class ForeignMatrixError extends TwoStepError {
  override readonly name = 'ForeignMatrixError';
  override readonly code = 'FOREIGN_MATRIX';
}

/** NaN or ±Infinity in data that must be finite (inputs, targets, weights). */
export class NonFiniteError extends TwoStepError {
  override readonly name = 'NonFiniteError';
  override readonly code = 'NON_FINITE';
}

/**
 * Training turned non-finite. `layer` and `quantity` name the first value of the step that
 * did (`Y2`, `X2`, `deltaUp2`, `deltaDown2`, `dJ/dW2`, or `J` for the loss); the network keeps
 * the weights it had before that step.
 */
export class DivergenceError extends TwoStepError {
  override readonly name = 'DivergenceError';
  override readonly code = 'DIVERGENCE';
  constructor(
    message: string,
    readonly epoch: number,
    readonly batch: number,
    readonly layer: number,
    readonly quantity: string,
  ) {
    super(message);
  }
}

/** A value out of the allowed set: an unknown activation, loss, optimizer, option or config key. */
export class ConfigError extends TwoStepError {
  override readonly name = 'ConfigError';
  override readonly code = 'CONFIG';
}

/**
 * A model file or object that is not a valid serialized network. `path` names the bad field
 * (`weights[0][2][1]`, `$` for the whole file) and `reason` says what is wrong with it
 * (`must be a finite number; it is 1e400`), so that a caller can name the field under its own
 * path (`network.weights[0][2][1] must be …`) without reading the message.
 */
export class ModelFormatError extends TwoStepError {
  override readonly name = 'ModelFormatError';
  override readonly code = 'MODEL_FORMAT';
  constructor(
    message: string,
    readonly path: string,
    /** The message without its prefix, the path and the final period; the message if not given. */
    readonly reason: string = message,
  ) {
    super(message);
  }
}

/** `loadBackend` with a name the app did not declare, or an entry that exports no descriptor. */
export class UnknownBackendError extends TwoStepError {
  override readonly name = 'UnknownBackendError';
  override readonly code = 'UNKNOWN_BACKEND';
}

/** The backend's package (or one of its peers) is not installed; the message says what to install. */
export class BackendNotInstalledError extends TwoStepError {
  override readonly name = 'BackendNotInstalledError';
  override readonly code = 'BACKEND_NOT_INSTALLED';
}

/** The backend cannot run here (its `check` says why), or was written for another contract version. */
export class BackendUnavailableError extends TwoStepError {
  override readonly name = 'BackendUnavailableError';
  override readonly code = 'BACKEND_UNAVAILABLE';
}

/**
 * A network or a matrix larger than the limits allow (parameters, entries of one matrix),
 * found before anything is allocated; the message gives the size asked, the limit and how to
 * raise it.
 */
export class ResourceLimitError extends TwoStepError {
  override readonly name = 'ResourceLimitError';
  override readonly code = 'RESOURCE_LIMIT';
  constructor(
    message: string,
    /**
     * The limit that was exceeded (`maxParameters`, `maxEntries`), the size asked, the limit,
     * and `problem`: the message up to the way to raise the limit, so that an app can say how
     * to raise it in its own terms (a flag, a config key).
     */
    readonly limit?: {
      readonly key: string;
      readonly size: number;
      readonly max: number;
      readonly problem: string;
    },
  ) {
    super(message);
  }
}
