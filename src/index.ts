/**
 * ro-convert's library API: `convert(text, options)` converts one compose text, with no I/O.
 * The CLI is a thin layer over this and over `run` (files, directories, writing).
 */
export { convert } from './convert.js';
export type { ConvertOptions, ConvertResult, ServiceReport } from './convert.js';
export type { Change, ChangeCode, Warning, WarningCode } from './plan/diagnostics.js';
export type { Replacement } from './plan/edits.js';
export type { MountNeeds, TmpfsNeed } from './knowledge/needs.js';
export { ConvertError } from './parse/errors.js';
export type { ErrorCode } from './parse/errors.js';
export type { EnvAdjustments, Selection } from './model/select.js';
export { DEFAULT_STRIP } from './model/select.js';
export { listImages, lookupImage, parseImageRef } from './knowledge/index.js';
export type { ImageKnowledge, ImageRef } from './knowledge/index.js';
