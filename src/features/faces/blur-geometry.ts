// Where to blur for a detected face. Pure geometry, no I/O.
// Detector boxes are tight around eyes-nose-mouth and often off-centre; hair, forehead, ears and
// chin identify a child too. Enlarging generously costs some background; too small a region
// leaves a recognisable face (fail closed: err on the big side).
import type { Box } from './types';

/** Faces narrower than this get the larger factors: the detector's boxes for small faces sit
 *  further off-centre (MEASURED.md: only 28% of small faces are 70%-covered by a raw SSD box,
 *  54% once enlarged 1.5x). */
export const SMALL_FACE_SIDE = 40;

interface Enlargement {
  /** Region width / box width. */
  width: number;
  /** Region height / box height. */
  height: number;
  /** How far the region centre moves up, as a fraction of the box height: hair and forehead
   *  lie above a detector box, the neck below matters less. */
  lift: number;
}

const NORMAL: Enlargement = { width: 1.6, height: 1.8, lift: 0.1 };
const SMALL: Enlargement = { width: 2.2, height: 2.4, lift: 0.1 };

export function blurRegionFor(box: Box, imgW: number, imgH: number): Box {
  const grow = Math.min(box.width, box.height) < SMALL_FACE_SIDE ? SMALL : NORMAL;
  const width = box.width * grow.width;
  const height = box.height * grow.height;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2 - box.height * grow.lift;
  // Whole pixels, rounded outwards, so no fractional edge of the face escapes.
  const left = Math.max(0, Math.floor(cx - width / 2));
  const top = Math.max(0, Math.floor(cy - height / 2));
  const right = Math.min(imgW, Math.ceil(cx + width / 2));
  const bottom = Math.min(imgH, Math.ceil(cy + height / 2));
  return { x: left, y: top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}
