// The faces feature's public API. Nothing outside src/features/faces imports tfjs, face-api or
// the worker pool; it uses these functions and the types in ./types.
export type { Analysis, Box, Face, FaceEngine, ImageFormat } from './types';
export { LIKELY_FACE_SCORE } from './types';
export { createFaceEngine, type FaceEngineOptions } from './engine';
export { inspectImage, decodeForDetection, sniffFormat, DEFAULT_MAX_PIXELS, type ImageInfo, type ImageLimits } from './image';
export { decodeForSafeCopy, encodeSafeCopy, renderSafeCopy } from './safe-copy';
export { blurRegionFor } from './blur-geometry';
export { releaseDecodedHeic } from './heic';
export { spotlightFor, type Spotlight } from './spotlight';
export { Gallery, euclideanDistance, DEFAULT_MARGIN, DEFAULT_THRESHOLD, type Match, type MatchOptions, type Reference } from './matcher';
export { assessReference, assessReferencePhoto, makeThumbnail, MIN_REFERENCE_WIDTH, type ReferenceAssessment, type ReferenceProblem } from './reference';
export { iou } from './box-overlap';
