/**
 * The public surface, entry by entry. A name added to or dropped from an entry is an API change:
 * this test makes it a deliberate one (update the list, write a changeset).
 */

import * as main from '@twostep/core';
import * as backendEntry from '@twostep/core/backend';
import * as checkEntry from '@twostep/core/check';
import { describe, expect, it } from 'vitest';

const names = (entry: object) => Object.keys(entry).sort();

describe('entries', () => {
  it('@twostep/core exports what apps call, and no backend-author helper', () => {
    expect(names(main)).toEqual(
      [
        ...['Network', 'Trainer', 'train', 'predict', 'evaluate', 'traceSample'],
        ...['fPropagate', 'fAdjoint', 'classic', 'RULE_NAMES'],
        ...['tidy', 'keep', 'dispose', 'tracked', 'Random'],
        ...['activations', 'ACTIVATION_NAMES', 'losses', 'LOSS_NAMES', 'LEARNING_MODES'],
        ...['sgd', 'momentum', 'adam', 'OPTIMIZER_NAMES', 'resolveOptimizer'],
        ...['Samples', 'checkDataset', 'oneHot', 'toColumns', 'DTYPES'],
        ...['parseArchitecture', 'formatArchitecture'],
        ...['serialize', 'deserialize', 'toModelFile', 'MODEL_FORMAT', 'MODEL_VERSION'],
        ...['defineBackends', 'loadBackend'],
        ...['TwoStepError', 'ArchitectureError', 'ShapeError', 'DTypeError', 'ConfigError'],
        ...['DisposedMatrixError', 'NonFiniteError', 'DivergenceError', 'ModelFormatError'],
        ...['UnknownBackendError', 'BackendNotInstalledError', 'BackendUnavailableError'],
        ...['ForeignMatrixError', 'ResourceLimitError'],
        ...['checkSeed', 'MAX_SEED', 'DEFAULT_MAX_PARAMETERS', 'DEFAULT_MAX_ENTRIES'],
      ].sort(),
    );
  });

  it('@twostep/core/backend exports the contract, its checks and the errors they throw', () => {
    expect(names(backendEntry)).toEqual(
      [
        ...['SPECIFICATION_VERSION', 'DTYPES', 'UNARY_OPS', 'ACTIVATION_NAMES', 'FUSED_KERNELS'],
        ...['checkOperands', 'checkShape', 'checkData', 'checkDType', 'checkOneOf'],
        ...['checkSameShape', 'checkSlice', 'checkConcatRows', 'matMulShape', 'broadcastKind'],
        'affineShape',
        ...['TwoStepError', 'ShapeError', 'DTypeError', 'DisposedMatrixError', 'ConfigError'],
        ...['BackendUnavailableError', 'ForeignMatrixError', 'ResourceLimitError'],
      ].sort(),
    );
  });

  it('@twostep/core/check exports the JSON checker, the options check and the float32 range check', () => {
    expect(names(checkEntry)).toEqual(
      [
        ...['checker', 'parseJsonAsWritten', 'shown', 'Overflow', 'checkKeys'],
        ...['firstOverflow', 'overflowError'],
      ].sort(),
    );
  });

  it('a name in both entries is one value, so instanceof holds across them', () => {
    const inMain = new Map<string, unknown>(Object.entries(main));
    const shared = Object.entries(backendEntry).filter(([name]) => inMain.has(name));
    expect(shared.map(([name]) => name)).toContain('ShapeError');
    for (const [name, value] of shared) expect(value, name).toBe(inMain.get(name));
  });
});
